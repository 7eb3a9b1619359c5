"""One parser for what a user may pass as a function: every command reads FUNCTION the same way.

Lambda's FunctionName accepts four forms, and so does every lambdawait command:

    my-function                                          a name
    my-function:live                                     a name and a qualifier (version or alias)
    123456789012:function:my-function[:live]             a partial ARN
    arn:aws:lambda:eu-west-1:123456789012:function:my-function[:live]   a full ARN

Splitting on the first colon (as `wait` and `status` once did) reads the partial ARN's account as
the function name. Whether the name itself is valid is preflight's business (`check_name`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lambdawait.core.errors import UsageError

_REF = re.compile(
    r"(?P<prefix>(?:arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z0-9-]+):)?"
    r"(?P<account>\d{12}):function:)?"
    r"(?P<name>[^:]*)(?::(?P<qualifier>[^:]*))?"
)


@dataclass(frozen=True)
class FunctionRef:
    """A function as the user named it; region, account and partition only from an ARN."""

    name: str
    qualifier: str | None = None
    region: str | None = None
    account: str | None = None
    partition: str | None = None
    # The ARN (full or partial) without its qualifier, when one was given.
    unqualified_arn: str | None = None

    @property
    def function_name(self) -> str:
        """What to send as FunctionName: the ARN when one was given (it names the account and
        region), else the bare name; empty when the name is."""
        return self.unqualified_arn if self.unqualified_arn and self.name else self.name


def parse_function_ref(text: str) -> FunctionRef:
    """`text` in any of the four forms above; anything else is a usage error naming it."""
    match = _REF.fullmatch(text)
    if match is None:
        raise UsageError(
            f"function {text!r} is not NAME, NAME:QUALIFIER or a function ARN",
            hint="e.g. my-fn, my-fn:live or arn:aws:lambda:REGION:ACCOUNT:function:my-fn",
        )
    qualifier = match["qualifier"]
    if qualifier == "":
        raise UsageError(
            f"function {text!r} ends with ':' but no qualifier",
            hint="drop the ':' or add a version or alias after it",
        )
    prefix = match["prefix"]
    return FunctionRef(
        name=match["name"],
        qualifier=qualifier,
        region=match["region"],
        account=match["account"],
        partition=match["partition"],
        unqualified_arn=f"{prefix}{match['name']}" if prefix else None,
    )


def split_qualifier(text: str, qualifier: str | None = None) -> tuple[str, str | None]:
    """(FunctionName to send, qualifier): an explicit `qualifier` wins over one in `text`."""
    ref = parse_function_ref(text)
    return ref.function_name, qualifier or ref.qualifier
