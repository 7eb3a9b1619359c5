"""The client configuration built in lambdawait.aws.clients: retries as botocore resolves them.

botocore reads AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and the profile's retry_mode / max_attempts
itself; lambdawait only supplies standard mode when nothing chose one, and refuses bad values in
one line before any call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lambdawait.aws.clients import Clients, ConnectionOptions
from lambdawait.core.errors import ExitCode, UsageError

# A named profile does not read the AWS_ACCESS_KEY_ID variables: its keys sit in the profile.
CI = "[profile ci]\nregion = us-east-1\naws_access_key_id = x\naws_secret_access_key = x\n"


@pytest.fixture
def aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    path.write_text("[default]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    return path


def retries(profile: str | None = None) -> Any:
    return Clients(ConnectionOptions(profile=profile)).polling_lambda().meta.config.retries


def test_nothing_configured_is_standard_mode(aws_config: Path) -> None:
    # No attempt count: botocore's own default for standard mode (3 in all) applies.
    assert retries() == {"mode": "standard"}


def test_the_profile_settings_are_honoured(aws_config: Path) -> None:
    aws_config.write_text(f"[default]\nregion = us-east-1\n{CI}retry_mode = adaptive\nmax_attempts = 7\n")
    assert retries("ci") == {"mode": "adaptive", "total_max_attempts": 7}


@pytest.mark.parametrize(("value", "total"), [("1", 1), ("5", 5)])
def test_the_variables_win_and_count_the_first_attempt(
    aws_config: Path, monkeypatch: pytest.MonkeyPatch, value: str, total: int
) -> None:
    aws_config.write_text("[default]\nregion = us-east-1\nretry_mode = legacy\nmax_attempts = 9\n")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", value)
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    assert retries() == {"mode": "adaptive", "total_max_attempts": total}


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("AWS_MAX_ATTEMPTS", "abc", "AWS_MAX_ATTEMPTS is 'abc': it must be a whole number of attempts"),
        ("AWS_MAX_ATTEMPTS", "0", "AWS_MAX_ATTEMPTS is '0': it must be at least 1"),
        ("AWS_RETRY_MODE", "fast", "AWS_RETRY_MODE is 'fast': it must be standard or adaptive or legacy"),
    ],
)
def test_a_bad_variable_is_a_one_line_usage_error(
    aws_config: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(UsageError) as info:
        retries()
    assert info.value.one_line().startswith(expected)
    assert f"fix or unset {variable}" in info.value.one_line()
    assert info.value.exit_code is ExitCode.USAGE


def test_a_bad_profile_setting_names_the_profile(aws_config: Path) -> None:
    aws_config.write_text(f"[default]\nregion = us-east-1\n{CI}max_attempts = lots\n")
    with pytest.raises(UsageError) as info:
        retries("ci")
    assert info.value.one_line().startswith("max_attempts in AWS profile 'ci' is 'lots'")


def test_every_session_reads_botocores_json_through_the_one_loader(
    aws_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.loaders

    from lambdawait.core import model

    model._loaders.cache_clear()
    model.service_data.cache_clear()
    parsed: list[str] = []
    real = botocore.loaders.JSONFileLoader.load_file

    def counting(self: botocore.loaders.JSONFileLoader, file_path: str) -> Any:
        parsed.append(Path(file_path).name)
        return real(self, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counting)
    try:
        model.service_data()  # what preflight and the reason codes read
        first = Clients(ConnectionOptions()).polling_lambda()
        second = Clients(ConnectionOptions()).polling_lambda()
    finally:
        model._loaders.cache_clear()
        model.service_data.cache_clear()
    assert first is not second
    # The Lambda model and endpoints.json, parsed once for this module and both clients.
    assert parsed.count("service-2") == 1 and parsed.count("endpoints") == 1, parsed


def test_a_data_path_gets_its_own_loader(
    aws_config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from lambdawait.core import model

    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    session = Clients(ConnectionOptions())._checked_session()
    assert session.get_component("data_loader") is model.loader(str(tmp_path))
    assert model.loader(str(tmp_path)) is not model.loader()
    assert str(tmp_path) in model.loader(str(tmp_path)).search_paths
