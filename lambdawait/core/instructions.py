"""A deploy's instructions: what it will do, step by step, as data that both the run and --dry-run read.

A plan (lambdawait.core.plan.DeployPlan) is an ordered tuple of these. The Deployer
(lambdawait.aws.deploy) runs the function's instructions, the deploy use case
(lambdawait.app.deploy) runs Publish and ShiftAlias, and `--dry-run` prints the same tuple: a
step planned is a step shown and a step run (chalice's Executor / DisplayOnlyExecutor split).
Each instruction's `step` is the name a failed deploy's report gives it (lambdawait.core.ledger).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

StepName = Literal["create", "code", "configuration", "tags", "publish", "alias"]

# A configuration field's value as read or wanted (lists as sorted tuples, SnapStart on/off).
FieldValue = str | int | bool | tuple[str, ...] | None


@dataclass(frozen=True)
class EnvChange:
    """What a deploy does to the environment variables: names only, values are often secrets."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    # GetFunction could not show the current variables (Environment.Error, e.g. a KMS key the
    # caller may not use), so what a replacement would remove is unknown.
    unreadable: str | None = None

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def describe(self) -> str:
        parts = [
            f"{label} {', '.join(names)}"
            for label, names in (("added", self.added), ("removed", self.removed), ("changed", self.changed))
            if names
        ]
        return "; ".join(parts)


# How each configuration field is named in a plan, and its unit. "timeout (function)" because
# `deploy --timeout` sets the function's own timeout; how long lambdawait waits is --wait-timeout.
LABELS: dict[str, tuple[str, str]] = {
    "runtime": ("runtime", ""),
    "handler": ("handler", ""),
    "role": ("role", ""),
    "memory": ("memory", " MB"),
    "timeout": ("timeout (function)", " s"),
    "ephemeral_storage": ("ephemeral storage", " MB"),
    "layers": ("layers", ""),
    "description": ("description", ""),
    "subnets": ("subnets", ""),
    "security_groups": ("security groups", ""),
    "snapstart": ("SnapStart", ""),
    "architecture": ("architecture", ""),
}


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value (env: the names only; values are often secrets)."""

    field: str
    old: FieldValue = None
    new: FieldValue = None
    env: EnvChange | None = None

    def describe(self) -> str:
        """`timeout (function): 3 s → 600 s`; `environment: added CC; changed BB (values not shown)`."""
        if self.env is not None:
            return f"{self.field}: {self.env.describe() or 'unchanged'} (values not shown)"
        if self.field in ("layers", "subnets", "security groups"):
            return f"{self.field}: {_list_change(_names(self.old), _names(self.new))}"
        return f"{self.field}: {self._show(self.old)} → {self._show(self.new)}"

    def _show(self, value: FieldValue) -> str:
        if value is None or value == "":
            return "(none)"
        if isinstance(value, bool):
            return "on" if value else "off"
        if self.field == "code":
            return _short_sha(str(value))
        unit = next((u for label, u in LABELS.values() if label == self.field), "")
        return f"{value}{unit}"


def _names(value: FieldValue) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else ()


def _short_sha(sha: str) -> str:
    return sha[:12] + "…" if len(sha) > 13 else sha


def _list_change(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    added = [x for x in new if x not in old]
    removed = [x for x in old if x not in new]
    parts = [
        f"{label} {', '.join(items)}" for label, items in (("added", added), ("removed", removed)) if items
    ]
    return "; ".join(parts) or f"reordered ({', '.join(new)})"


@dataclass(frozen=True)
class CreateFunction:
    """CreateFunction with all the spec gives (code, configuration, tags), then wait until Active."""

    step: ClassVar[StepName] = "create"
    function: str
    code: bool  # the spec has code (a create without it is refused by preflight)
    tags: tuple[str, ...] = ()
    env: EnvChange | None = None  # the variables it is created with (names only)
    # A lost reply's "already exists" is our own create only if the function holds this code.
    code_sha256: str | None = None

    def describe(self) -> list[str]:
        names = f" with environment variables {', '.join(self.env.added)}" if self.env else ""
        return [f"create {self.function}{names}"]


@dataclass(frozen=True)
class UpdateCode:
    """UpdateFunctionCode (with Architectures when that changes), guarded by the RevisionId read."""

    step: ClassVar[StepName] = "code"
    function: str
    changes: tuple[FieldChange, ...]  # code (CodeSha256 old -> new), architecture
    # What must land (a lost reply is reconciled against it); None: S3 or image, unknown until read.
    code_sha256: str | None = None

    def describe(self) -> list[str]:
        return [f"update code of {self.function}:", *(f"  {c.describe()}" for c in self.changes)]


@dataclass(frozen=True)
class UpdateConfiguration:
    """UpdateFunctionConfiguration of the fields that differ, guarded by the RevisionId before it."""

    step: ClassVar[StepName] = "configuration"
    function: str
    fields: tuple[str, ...]  # spec field names; "vpc" when subnets or security groups differ
    changes: tuple[FieldChange, ...]
    # (SubnetIds, SecurityGroupIds) as read: a partial VPC change sends the other half unchanged.
    current_vpc: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    @property
    def request_fields(self) -> tuple[str, ...]:
        """The fields as config_request takes them: VpcConfig is sent whole."""
        fields = tuple(f for f in self.fields if f != "vpc")
        return (*fields, "subnets", "security_groups") if "vpc" in self.fields else fields

    def describe(self) -> list[str]:
        return [f"update configuration of {self.function}:", *(f"  {c.describe()}" for c in self.changes)]


@dataclass(frozen=True)
class TagFunction:
    """TagResource with the tags that differ (values from the spec: tags are not secrets)."""

    step: ClassVar[StepName] = "tags"
    function: str
    arn: str
    keys: tuple[str, ...]

    def describe(self) -> list[str]:
        return [f"tag: {', '.join(self.keys)}"]


@dataclass(frozen=True)
class Publish:
    """PublishVersion of exactly the code and revision the deploy left."""

    step: ClassVar[StepName] = "publish"
    function: str


@dataclass(frozen=True)
class ShiftAlias:
    """Shift the alias to the version just published, on the strategy's schedule."""

    step: ClassVar[StepName] = "alias"
    function: str
    alias: str
    strategy: str


# Run by the Deployer; each describes itself in the plan's steps.
FunctionInstruction = CreateFunction | UpdateCode | UpdateConfiguration | TagFunction
# Run by the deploy use case after the function's; shown as the plan's release line
# (publish, alias, strategy), which also spells out the strategy's schedule.
ReleaseInstruction = Publish | ShiftAlias
Instruction = FunctionInstruction | ReleaseInstruction
