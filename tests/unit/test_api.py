"""The library API: every name `lambdawait` exports resolves, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import lambdawait


def test_every_exported_name_resolves() -> None:
    missing = [name for name in lambdawait.__all__ if getattr(lambdawait, name, None) is None]
    assert missing == []
    assert lambdawait.Shifter.__module__ == "lambdawait.aws.shift"
    assert issubclass(lambdawait.AliasSplitError, lambdawait.LambdawaitError)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        lambdawait.nothing_like_this  # noqa: B018
    except AttributeError as exc:
        assert "nothing_like_this" in str(exc)
    else:
        raise AssertionError("no AttributeError")


def test_importing_the_package_loads_no_aws_or_cli_library() -> None:
    code = (
        "import sys, lambdawait; "
        "print(sorted(m for m in ('botocore', 'typer', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
