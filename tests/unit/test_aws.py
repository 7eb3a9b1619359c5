"""The client configuration built in lambdawait.aws: the standard AWS retry variables."""

from __future__ import annotations

import pytest

from lambdawait.aws import _client_config


@pytest.mark.parametrize(("value", "total"), [(None, 3), ("1", 1), ("5", 5)])
def test_aws_max_attempts_counts_the_first_attempt(
    monkeypatch: pytest.MonkeyPatch, value: str | None, total: int
) -> None:
    if value is None:
        monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    else:
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", value)
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    retries = _client_config().retries
    assert retries == {"mode": "adaptive", "total_max_attempts": total}


def test_botocore_reads_it_as_total_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS_MAX_ATTEMPTS=1: one attempt in all, so lambdawait's own retry layers take every throttle."""
    import boto3

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    client = boto3.client(
        "lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=_client_config(),
    )  # fmt: skip
    assert client.meta.config.retries["total_max_attempts"] == 1
