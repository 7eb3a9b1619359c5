"""The per-function and per-alias entries of the JSON contract, built from domain objects (pure).

They live below the engines so that an engine can put an alias or a function into an error's
details without importing the output layer; output.documents builds whole documents from them.
"""

from __future__ import annotations

from typing import Any

from lambdawait.core.models import AliasInfo, FunctionStatus, status_fields

__all__ = ["alias_doc", "function_entry"]


def alias_doc(alias: AliasInfo | None) -> dict[str, Any] | None:
    """An alias as the JSON contract shows it."""
    if alias is None:
        return None
    return {
        "name": alias.name,
        "functionVersion": alias.function_version,
        "additionalVersionWeights": alias.weights,
        "revisionId": alias.revision_id,
    }


def function_entry(
    status: FunctionStatus | None,
    *,
    function: str | None = None,
    qualifier: str | None = None,
    remediation: str | None = None,
) -> dict[str, Any]:
    """The fields every per-function entry of the JSON contract carries (null when not seen).

    When there is a remediation, its steps are chosen for what the status shows (a failed creation
    is re-created, a failed update is updated again) and `remediation` is those steps on one line.
    """
    steps: tuple[str, ...] = ()
    if remediation and status is not None:
        from lambdawait.core.reasons import failure_steps

        steps = failure_steps(status)
    return {
        "function": function or (status.function if status else None),
        "qualifier": qualifier,
        **status_fields(status),
        "remediation": "; ".join(steps) if steps else remediation,
        "remediationSteps": list(steps) if steps else ([remediation] if remediation else []),
        "version": status.version if status else None,
        "codeSha256": status.code_sha256 if status else None,
        "revisionId": status.revision_id if status else None,
    }
