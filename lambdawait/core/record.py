"""The release record kept in AWS, so a rollback on another machine knows the known-good version.

Rollback scripts run on a different machine than the deploy, so nothing lives on local disk. The
record describes the last release of an alias, not the last hop: the version it replaced (the
known-good one), the version it released, and where it stands (shifting, released, rolled-back).
A rollback therefore always goes back to the known-good version, however often it is run.

Where it lives: a `[lambdawait run=… good=… new=… state=…]` marker in the alias description,
written atomically with each UpdateAlias, beside the user's own text. The user's text is never cut
or altered: when it leaves no room for the marker (Lambda allows 256 characters), the record lives
in the function tag `lambdawait:alias:NAME` instead (see `tag_key`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

MAX_DESCRIPTION = 256
TAG_PREFIX = "lambdawait:alias:"
MAX_TAG_KEY = 128
_MARKER = re.compile(r"\s*\[lambdawait(?P<body>[^\]]*)\]")

SHIFTING = "shifting"
RELEASED = "released"
ROLLED_BACK = "rolled-back"
STATES = (SHIFTING, RELEASED, ROLLED_BACK)


@dataclass(frozen=True)
class ReleaseRecord:
    """What lambdawait knows of the alias's last release."""

    run: str | None = None
    good: str | None = None  # the version the release replaced: the known-good one
    new: str | None = None  # the version the release moves traffic to
    state: str | None = None  # shifting | released | rolled-back

    @property
    def empty(self) -> bool:
        return self == ReleaseRecord()

    def moved(self, state: str) -> ReleaseRecord:
        return replace(self, state=state)


def _fields(body: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in body.split() if "=" in part)


def parse_text(text: str | None) -> ReleaseRecord:
    """A record from a marker body or a tag value (`run=… good=… new=… state=…`)."""
    fields = _fields(text or "")
    state = fields.get("state")
    good = fields.get("good")
    if good is None and "previous" in fields:
        # Records written before 0.2 kept only the version the last shift left: read it as the
        # known-good version of a release that went out.
        good, state = fields["previous"], state or RELEASED
    return ReleaseRecord(
        run=fields.get("run"),
        good=good,
        new=fields.get("new"),
        state=state if state in STATES else None,
    )


def parse(description: str | None) -> ReleaseRecord:
    """The record in an alias description (an empty record when there is none)."""
    match = _MARKER.search(description or "")
    return parse_text(match.group("body")) if match else ReleaseRecord()


def user_text(description: str | None) -> str:
    """The user's own part of an alias description."""
    return _MARKER.sub("", description or "").strip()


def body(record: ReleaseRecord) -> str:
    parts = (("run", record.run), ("good", record.good), ("new", record.new), ("state", record.state))
    return " ".join(f"{key}={value}" for key, value in parts if value)


def marker(record: ReleaseRecord) -> str:
    text = body(record)
    return f"[lambdawait {text}]" if text else "[lambdawait]"


def write(description: str | None, record: ReleaseRecord) -> str | None:
    """The user's description with our marker, or None when the marker does not fit beside it.

    The user's text is kept exactly; a None answer means "leave the description alone and keep the
    record in the function tag".
    """
    user = user_text(description)
    text = f"{user} {marker(record)}" if user else marker(record)
    return text if len(text) <= MAX_DESCRIPTION else None


def tag_key(alias: str) -> str:
    """The function tag that holds an alias's record when its description has no room for it."""
    key = TAG_PREFIX + alias
    if len(key) <= MAX_TAG_KEY:
        return key
    digest = hashlib.sha256(alias.encode()).hexdigest()[:16]
    return f"{TAG_PREFIX}{alias[: MAX_TAG_KEY - len(TAG_PREFIX) - 17]}-{digest}"


def function_arn(alias_arn: str | None, function: str) -> str:
    """The unqualified function ARN (tags live on the function, never on an alias)."""
    if alias_arn and alias_arn.count(":") >= 7:
        return alias_arn.rsplit(":", 1)[0]
    return function
