"""`lambdawait status` as text: handler, memory, timeout, and times a person can read."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest

from lambdawait.output.ago import ago, parse_time, with_ago
from lambdawait.output.render import Output

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "just now"),
        (1, "1 second ago"),
        (59, "59 seconds ago"),
        (120, "2 minutes ago"),
        (3 * 3600 + 59, "3 hours ago"),
        (30 * 3600, "30 hours ago"),
        (3 * 86400, "3 days ago"),
        (-5, "in the future"),
    ],
)
def test_ago(seconds: float, text: str) -> None:
    assert ago(NOW - timedelta(seconds=seconds), NOW) == text


def test_lambda_timestamps_parse_and_anything_else_is_shown_as_is() -> None:
    assert parse_time("2024-05-01T11:58:00.000+0000") == NOW - timedelta(minutes=2)
    assert parse_time("2024-05-01T11:58:00Z") == NOW - timedelta(minutes=2)
    assert parse_time("2024-05-01T11:58:00") is None  # no zone: no moment
    assert with_ago("yesterday-ish", NOW) == "yesterday-ish"
    assert with_ago(None, NOW) is None


ENTRY = {
    "function": "orders",
    "qualifier": None,
    "state": "Active",
    "lastUpdateStatus": "Successful",
    "runtime": "python3.12",
    "architecture": "arm64",
    "handler": "app.handler",
    "memorySize": 512,
    "timeout": 30,
    "codeSha256": "abc=",
    "lastModified": "2024-05-01T11:58:00.000+0000",
    "environment": {"DB_PASSWORD": "****"},
    "versions": [
        {
            "version": "3",
            "state": "Active",
            "codeSha256": "abc=",
            "lastModified": "2024-04-28T12:00:00.000+0000",
        }
    ],
    "aliases": [],
}


def test_status_block_shows_configuration_and_human_times() -> None:
    stdout = io.StringIO()
    out = Output("text", no_color=True, stdout=stdout, stderr=io.StringIO(), now=lambda: NOW)
    out.status({"command": "status", "ok": True, "outcome": "ok", "exitCode": 0, "functions": [ENTRY]})
    rows = {line[2:16].strip(): line[17:] for line in stdout.getvalue().splitlines()[1:]}
    assert rows["handler"] == "app.handler"
    assert rows["memory"] == "512 MB"
    assert rows["timeout"] == "30 s"
    assert rows["last modified"] == "2024-05-01T11:58:00.000+0000 (2 minutes ago)"
    assert rows["version 3"] == "Active  abc=  3 days ago"
    assert rows["environment"] == "DB_PASSWORD=****"
