"""An unknown AWS profile is named, with where it came from and the profiles that do exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdawait.aws.clients import Clients, ConnectionOptions
from lambdawait.core.errors import ConfigurationError


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    path.write_text("[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    return path


def error(options: ConnectionOptions) -> str:
    with pytest.raises(ConfigurationError) as info:
        Clients(options).polling_lambda()
    return info.value.one_line()


def test_from_aws_profile(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    assert error(ConnectionOptions()) == (
        "AWS profile 'nosuch' (from AWS_PROFILE) not found (configured profiles: default, dev)"
    )


def test_from_the_flag(config: Path) -> None:
    assert error(ConnectionOptions(profile="nosuch")).startswith(
        "AWS profile 'nosuch' (from --profile) not found"
    )


def test_with_no_profiles_at_all(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config.write_text("")
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    assert "no profiles are configured" in error(ConnectionOptions())
