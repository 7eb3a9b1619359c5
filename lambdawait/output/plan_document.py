"""The plan as `--dry-run` shows it: its instructions read into the JSON `plan` document.

The text lines are rendered from this document (output.render), so the JSON and the text show the
same instructions the Deployer runs (lambdawait.core.instructions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdawait.core.instructions import EnvChange, FieldChange, FieldValue, Publish, ShiftAlias
from lambdawait.core.package import LocalPackage
from lambdawait.core.plan import DeployPlan

if TYPE_CHECKING:
    from lambdawait.core.doc_types import ChangeDoc, EnvDiffDoc, JsonValue, PackageDoc, PlanDoc


def plan_document(
    plan: DeployPlan, package: LocalPackage | None, *, wait_timeout: float | None = None
) -> PlanDoc:
    """The plan as `--dry-run` shows it (and a deploy's result repeats): read from its instructions."""
    steps = plan.describe()
    if package is not None and package.included_files is not None:
        # --dir: what went into the zip, so a left-out file is seen before it is missed.
        left_out = package.exclusion_summary() or "no files excluded"
        count = package.included_files
        steps.append(f"package {package.label}: {count} file{'' if count == 1 else 's'} zipped, {left_out}")
    shift = plan.find(ShiftAlias)
    return {
        "package": _package_document(package),
        "create": plan.create,
        "codeUpdate": plan.code_update,
        "configFields": list(plan.config_fields),
        "changes": [_change_document(change) for change in plan.field_changes],
        "env": _env_document(plan.env) if plan.env is not None else None,
        "tags": list(plan.tags),
        # The release is shown as one line from these (output.render_text.release_text).
        "publish": plan.find(Publish) is not None,
        "alias": shift.alias if shift else None,
        "strategy": shift.strategy if shift else None,
        # How long each change is waited on: the deadline, not the function's Timeout.
        "waitTimeoutSeconds": wait_timeout,
        "steps": steps,
    }


def _change_document(change: FieldChange) -> ChangeDoc:
    """One field old -> new (lists as JSON arrays); the environment by names only."""
    if change.env is not None:
        return {"field": "environment", "old": None, "new": None, **_env_document(change.env)}
    return {"field": change.field, "old": _json(change.old), "new": _json(change.new)}


def _json(value: FieldValue) -> JsonValue:
    return [*value] if isinstance(value, tuple) else value


def _env_document(env: EnvChange) -> EnvDiffDoc:
    return {"added": list(env.added), "removed": list(env.removed), "changed": list(env.changed)}


def _package_document(package: LocalPackage | None) -> PackageDoc | None:
    if package is None or package.included_files is None:
        return None
    return {
        "label": package.label,
        "includedFiles": package.included_files,
        "excludedFiles": package.excluded_files,
        "excluded": dict(package.excluded),
    }
