"""`--query`: a JMESPath expression (as in the AWS CLI) picking part of a command's result document."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lambdawait.core.errors import UsageError

if TYPE_CHECKING:
    from jmespath.parser import ParsedResult

_HINT = "JMESPath over the --output json document, e.g. --query version or --query 'functions[0].state'"
# jmespath's own openings, which say nothing the message does not already.
_PREFIXES = ("Invalid jmespath expression: ", "Bad jmespath expression: ", "Invalid JMESPath expression: ")


class Query:
    """A compiled expression. Compiled before any AWS call, so a bad one changes nothing (exit 2)."""

    def __init__(self, text: str) -> None:
        # botocore's own dependency (no new install), imported only when a query is given.
        import jmespath
        from jmespath import exceptions

        self.text = text
        try:
            self._expression: ParsedResult = jmespath.compile(text)
        except exceptions.JMESPathError as exc:
            raise UsageError(f"--query {text!r} is not valid: {_reason(exc)}", hint=_HINT) from None
        try:
            # Unknown functions and wrong argument counts only show when evaluated: try it once.
            self._expression.search({})
        except (exceptions.UnknownFunctionError, exceptions.ArityError) as exc:
            raise UsageError(f"--query {text!r} is not valid: {_reason(exc)}", hint=_HINT) from None
        except exceptions.JMESPathError:
            pass  # a type error on an empty document says nothing about the real one

    def search(self, document: object) -> object:
        """What the expression picks; raises ValueError (a JMESPathError) when it cannot be applied."""
        return self._expression.search(document)


def _reason(exc: Exception) -> str:
    first = str(exc).splitlines()[0].rstrip(":.").strip()
    for prefix in _PREFIXES:
        first = first.removeprefix(prefix)
    return first


def format_value(value: object, *, as_json: bool) -> str:
    """JSON with `-o json`; with text output a string is printed bare (for `$(...)` in a script),
    null as an empty line, anything else as JSON."""
    if not as_json:
        if isinstance(value, str):
            return value
        if value is None:
            return ""
    return json.dumps(value, indent=2)
