"""lambdawait.core.names: every form Lambda's FunctionName accepts, parsed one way for every command."""

from __future__ import annotations

import pytest

from lambdawait.core.errors import ExitCode, UsageError
from lambdawait.core.names import FunctionRef, parse_function_ref, split_qualifier

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:my-fn"
PARTIAL = "123456789012:function:my-fn"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my-fn", FunctionRef("my-fn")),
        ("my-fn:live", FunctionRef("my-fn", "live")),
        ("my-fn:7", FunctionRef("my-fn", "7")),
        ("my-fn:$LATEST", FunctionRef("my-fn", "$LATEST")),
        (PARTIAL, FunctionRef("my-fn", account="123456789012", unqualified_arn=PARTIAL)),
        (
            f"{PARTIAL}:live",
            FunctionRef("my-fn", "live", account="123456789012", unqualified_arn=PARTIAL),
        ),
        (
            ARN,
            FunctionRef("my-fn", None, "eu-west-1", "123456789012", "aws", unqualified_arn=ARN),
        ),
        (
            f"{ARN}:3",
            FunctionRef("my-fn", "3", "eu-west-1", "123456789012", "aws", unqualified_arn=ARN),
        ),
        (
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
            FunctionRef(
                "f",
                region="cn-north-1",
                account="123456789012",
                partition="aws-cn",
                unqualified_arn="arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
            ),
        ),
    ],
)
def test_every_form_lambda_accepts(text: str, expected: FunctionRef) -> None:
    assert parse_function_ref(text) == expected


@pytest.mark.parametrize(
    ("text", "function", "qualifier"),
    [
        ("my-fn", "my-fn", None),
        ("my-fn:live", "my-fn", "live"),
        # The account is not the function name (the bug a first-colon split had).
        (PARTIAL, PARTIAL, None),
        (f"{PARTIAL}:live", PARTIAL, "live"),
        (f"{ARN}:3", ARN, "3"),
        ("", "", None),
        (":3", "", "3"),
    ],
)
def test_split_qualifier_sends_the_arn_when_one_was_given(
    text: str, function: str, qualifier: str | None
) -> None:
    assert split_qualifier(text) == (function, qualifier)


def test_an_explicit_qualifier_wins() -> None:
    assert split_qualifier(f"{PARTIAL}:live", "2") == (PARTIAL, "2")
    assert split_qualifier("my-fn", "live") == ("my-fn", "live")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a:b:c", "is not NAME, NAME:QUALIFIER or a function ARN"),
        ("arn:aws:iam::123456789012:role/x", "is not NAME, NAME:QUALIFIER or a function ARN"),
        (f"{ARN}:3:4", "is not NAME, NAME:QUALIFIER or a function ARN"),
        ("my-fn:", "ends with ':' but no qualifier"),
        (f"{PARTIAL}:", "ends with ':' but no qualifier"),
    ],
)
def test_other_shapes_are_usage_errors(text: str, problem: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse_function_ref(text)
    assert problem in exc.value.message and repr(text) in exc.value.message
    assert exc.value.exit_code is ExitCode.USAGE


def test_wait_and_status_send_a_partial_arn_whole() -> None:
    # `wait` and `status` split FUNCTION[:QUALIFIER] through these; the partial ARN's account
    # was once taken for the function name and "function:my-fn" for the qualifier.
    from lambdawait.app.commands import wait_requests

    assert split_qualifier(f"{PARTIAL}:live") == (PARTIAL, "live")
    (request,) = wait_requests([f"{PARTIAL}:3"], "version", None)
    assert (request.function, request.qualifier) == (PARTIAL, "3")
