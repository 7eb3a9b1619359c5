"""Lambda's timestamps for people: `2024-05-01T12:00:00.000+0000` -> `2 minutes ago` (pure)."""

from __future__ import annotations

from datetime import datetime

# Lambda's LastModified ("2024-05-01T12:00:00.000+0000"); the others are what other APIs and
# hand-written scenarios use.
_FORMATS = ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z")
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def parse_time(text: str) -> datetime | None:
    """The moment a Lambda timestamp names; None for anything that is not one (shown as is)."""
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None  # a time without a zone says no moment


def ago(then: datetime, now: datetime) -> str:
    """`just now`, `1 second ago`, `2 minutes ago`, `5 hours ago`, `3 days ago` (the largest unit,
    rounded down, hours up to two days); `in the future` when the clocks disagree by a second or more."""
    seconds = (now - then).total_seconds()
    if seconds <= -1:
        return "in the future"
    if seconds < 1:
        return "just now"
    for unit, size in _UNITS:
        if unit == "day" and seconds < 2 * 86400:
            continue
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    raise AssertionError("unreachable: seconds >= 1")  # pragma: no cover


def with_ago(text: str | None, now: datetime) -> str | None:
    """`2024-05-01T12:00:00.000+0000 (2 minutes ago)`; the text alone when it is not a timestamp."""
    if not text:
        return text
    moment = parse_time(text)
    return f"{text} ({ago(moment, now)})" if moment is not None else text
