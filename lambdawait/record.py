"""The deploy record kept in the alias description, so a rollback on another machine knows where to go.

Rollback scripts run on a different machine than the deploy, so nothing lives on local disk: each
lambdawait alias update writes `[lambdawait run=ID previous=N]` into the alias description, next to
whatever the user wrote there, atomically with the update itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DESCRIPTION = 256
_MARKER = re.compile(r"\s*\[lambdawait(?P<body>[^\]]*)\]")


@dataclass(frozen=True)
class AliasRecord:
    """What lambdawait last wrote into an alias description."""

    run: str | None = None
    previous: str | None = None


def parse(description: str | None) -> AliasRecord:
    match = _MARKER.search(description or "")
    if not match:
        return AliasRecord()
    fields = dict(part.split("=", 1) for part in match.group("body").split() if "=" in part)
    return AliasRecord(run=fields.get("run"), previous=fields.get("previous"))


def write(description: str | None, record: AliasRecord) -> str:
    """The user's description with our marker replaced, trimmed to Lambda's 256 characters."""
    user = _MARKER.sub("", description or "").strip()
    parts = [
        f"run={record.run}" if record.run else "",
        f"previous={record.previous}" if record.previous else "",
    ]
    marker = "[" + " ".join(["lambdawait", *(p for p in parts if p)]) + "]"
    room = MAX_DESCRIPTION - len(marker) - 1
    user = user[: max(0, room)].rstrip()
    return f"{user} {marker}" if user else marker
