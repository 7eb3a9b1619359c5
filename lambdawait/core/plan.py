"""What a deploy will do, computed from one GetFunction read: a tuple of instructions, pure data.

The instructions (lambdawait.core.instructions) are the plan: the Deployer runs them and
`--dry-run` prints them, so what is shown is what runs. Every other view of the plan (the step
names a failed deploy reports, the fields of the JSON plan) is read from them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypedDict, TypeVar, cast

from lambdawait.core.errors import UsageError
from lambdawait.core.instructions import (
    LABELS,
    CreateFunction,
    EnvChange,
    FieldChange,
    FieldValue,
    FunctionInstruction,
    Instruction,
    Publish,
    ReleaseInstruction,
    ShiftAlias,
    StepName,
    TagFunction,
    UpdateCode,
    UpdateConfiguration,
)
from lambdawait.core.models import FunctionStatus
from lambdawait.core.package import LocalPackage, code_sha256
from lambdawait.core.responses import from_configuration
from lambdawait.core.spec import FunctionSpec

if TYPE_CHECKING:
    from mypy_boto3_lambda.literals import RuntimeType
    from mypy_boto3_lambda.type_defs import (
        CreateFunctionRequestTypeDef,
        EnvironmentTypeDef,
        EphemeralStorageTypeDef,
        FunctionCodeLocationTypeDef,
        FunctionConfigurationTypeDef,
        GetFunctionResponseTypeDef,
        SnapStartTypeDef,
        UpdateFunctionConfigurationRequestTypeDef,
        VpcConfigResponseTypeDef,
        VpcConfigTypeDef,
    )

__all__ = [
    "ConfigParams",
    "DeployPlan",
    "EnvChange",
    "FieldChange",
    "check_plan",
    "config_request",
    "desired_fields",
    "differing_fields",
    "env_change",
    "plan_deploy",
    "set_config",
]

_I = TypeVar("_I", bound="Instruction")

# The configuration fields a spec can set, in the order a plan lists them.
FIELDS = (
    "runtime", "handler", "role", "memory", "timeout", "ephemeral_storage", "env", "layers",
    "description", "subnets", "security_groups", "snapstart",
)  # fmt: skip


@dataclass(frozen=True)
class DeployPlan:
    """What a deploy will do: its instructions, in order, and what they were planned against."""

    function: str
    instructions: tuple[Instruction, ...]
    local_sha256: str | None
    current: FunctionStatus | None  # None: the function does not exist
    warnings: tuple[str, ...] = ()
    # None: the environment is not touched (no --env / --env-file).
    env: EnvChange | None = None

    @property
    def deploy(self) -> tuple[FunctionInstruction, ...]:
        """What the Deployer runs: create, or code -> configuration -> tags."""
        return tuple(i for i in self.instructions if not isinstance(i, Publish | ShiftAlias))

    @property
    def release(self) -> tuple[ReleaseInstruction, ...]:
        """What follows the function's changes: publish, then the alias shift."""
        return tuple(i for i in self.instructions if isinstance(i, Publish | ShiftAlias))

    def then(self, *release: ReleaseInstruction) -> DeployPlan:
        """This plan followed by `release` (in place of any release it had)."""
        return replace(self, instructions=(*self.deploy, *release))

    def find(self, kind: type[_I]) -> _I | None:
        return next((i for i in self.instructions if isinstance(i, kind)), None)

    @property
    def changes(self) -> bool:
        """The function itself changes (publishing alone does not count)."""
        return bool(self.deploy)

    @property
    def create(self) -> bool:
        return self.find(CreateFunction) is not None

    @property
    def code_update(self) -> bool:
        create = self.find(CreateFunction)
        return create.code if create else self.find(UpdateCode) is not None

    @property
    def config_fields(self) -> tuple[str, ...]:
        update = self.find(UpdateConfiguration)
        return update.fields if update else ()

    @property
    def tags(self) -> tuple[str, ...]:
        create, tag = self.find(CreateFunction), self.find(TagFunction)
        return create.tags if create else tag.keys if tag else ()

    @property
    def field_changes(self) -> tuple[FieldChange, ...]:
        """Each changed field, old -> new (code as CodeSha256): the diff --dry-run shows."""
        return tuple(
            c for i in self.deploy if isinstance(i, UpdateCode | UpdateConfiguration) for c in i.changes
        )

    def step_names(self) -> list[StepName]:
        """Every step, in the order it runs (the names a failed deploy reports)."""
        return [i.step for i in self.instructions]

    def describe(self) -> list[str]:
        """The function's steps, each with its fields indented under it, old -> new."""
        steps = [line for i in self.deploy for line in i.describe()]
        return steps or [f"{self.function} is unchanged: nothing to do"]


def check_plan(spec: FunctionSpec, plan: DeployPlan) -> None:
    """Refuse, before any change, a plan that would drop what the user has without being asked to.

    Variables that exist now and are not given are removed only with `--prune-env`: a forgotten
    `--env-file` must not silently delete a database password.
    """
    env = plan.env
    if env is None or spec.prune_env:
        return
    if env.unreadable:
        raise UsageError(
            f"cannot read the current environment variables of {spec.name} ({env.unreadable}), "
            "so it is unknown which ones --env would remove",
            hint="pass --prune-env to replace them all with the ones given",
        )
    if env.removed:
        count = len(env.removed)
        raise UsageError(
            f"deploying would remove {count} environment variable{'s' if count > 1 else ''} "
            f"of {spec.name}: {', '.join(env.removed)}",
            hint="keep them with --env NAME=... (or in --env-file), or pass --prune-env to remove them",
            details={"envRemoved": list(env.removed)},
        )


def _current_config(config: FunctionConfigurationTypeDef) -> dict[str, FieldValue]:
    vpc: VpcConfigResponseTypeDef = config.get("VpcConfig") or {}
    storage, snapstart = config.get("EphemeralStorage"), config.get("SnapStart")
    return {
        "runtime": config.get("Runtime"),
        "handler": config.get("Handler"),
        "role": config.get("Role"),
        "memory": config.get("MemorySize"),
        "timeout": config.get("Timeout"),
        "ephemeral_storage": storage.get("Size") if storage else None,
        "layers": tuple(layer.get("Arn", "") for layer in config.get("Layers") or []),
        "description": config.get("Description") or "",
        "subnets": tuple(sorted(vpc.get("SubnetIds") or [])),
        "security_groups": tuple(sorted(vpc.get("SecurityGroupIds") or [])),
        "snapstart": snapstart.get("ApplyOn") == "PublishedVersions" if snapstart else False,
    }


def _desired_config(spec: FunctionSpec) -> dict[str, FieldValue]:
    """Only what the user gave (the environment apart: its values are compared, never shown)."""
    wanted: dict[str, FieldValue] = {
        "runtime": spec.runtime,
        "handler": spec.handler,
        "role": spec.role,
        "memory": spec.memory,
        "timeout": spec.timeout,
        "ephemeral_storage": spec.ephemeral_storage,
        "layers": spec.layers,
        "description": spec.description,
        "subnets": tuple(sorted(spec.subnets)) if spec.subnets is not None else None,
        "security_groups": tuple(sorted(spec.security_groups)) if spec.security_groups is not None else None,
        "snapstart": spec.snapstart,
    }
    return {key: value for key, value in wanted.items() if value is not None}


def desired_fields(spec: FunctionSpec) -> tuple[str, ...]:
    """The configuration fields the user gave; None means "keep"."""
    wanted = _desired_config(spec)
    return tuple(key for key in FIELDS if key in wanted or (key == "env" and spec.env is not None))


def differing_fields(spec: FunctionSpec, config: FunctionConfigurationTypeDef) -> tuple[str, ...]:
    """The fields the spec gives that the configuration holds otherwise, VPC as one ("vpc")."""
    have, want = _current_config(config), _desired_config(spec)
    have_env = dict((config.get("Environment") or {}).get("Variables") or {})
    fields = tuple(
        key
        for key in FIELDS
        if (key in want and have.get(key) != want[key])
        or (key == "env" and spec.env is not None and dict(spec.env.items()) != have_env)
    )
    if "subnets" in fields or "security_groups" in fields:
        fields = (*(f for f in fields if f not in ("subnets", "security_groups")), "vpc")
    return fields


class ConfigParams(TypedDict, total=False):
    """The configuration parameters of CreateFunction and UpdateFunctionConfiguration."""

    Runtime: RuntimeType
    Handler: str
    Role: str
    MemorySize: int
    Timeout: int
    Description: str
    EphemeralStorage: EphemeralStorageTypeDef
    Environment: EnvironmentTypeDef
    Layers: Sequence[str]
    SnapStart: SnapStartTypeDef
    VpcConfig: VpcConfigTypeDef


def config_request(
    spec: FunctionSpec, fields: tuple[str, ...], current: FunctionConfigurationTypeDef | None = None
) -> ConfigParams:
    """UpdateFunctionConfiguration / CreateFunction parameters for the given fields.

    `current` is the function's Configuration: VpcConfig is one parameter, so when only subnets
    or only security groups were given, the other half is sent as it is now, not emptied.
    """
    params: ConfigParams = {}
    set_config(params, spec, fields, current)
    return params


def set_config(
    params: ConfigParams | UpdateFunctionConfigurationRequestTypeDef | CreateFunctionRequestTypeDef,
    spec: FunctionSpec,
    fields: tuple[str, ...],
    current: FunctionConfigurationTypeDef | None = None,
) -> None:
    """config_request's parameters, set in a request being built (see config_request)."""
    if "runtime" in fields and spec.runtime is not None:
        # RuntimeType lists the runtimes boto3-stubs knew; Lambda takes newer ones too (preflight
        # only warns about a runtime the installed model lacks), so the spec's name goes as given.
        params["Runtime"] = cast("RuntimeType", spec.runtime)
    if "handler" in fields and spec.handler is not None:
        params["Handler"] = spec.handler
    if "role" in fields and spec.role is not None:
        params["Role"] = spec.role
    if "memory" in fields and spec.memory is not None:
        params["MemorySize"] = spec.memory
    if "timeout" in fields and spec.timeout is not None:
        params["Timeout"] = spec.timeout
    if "description" in fields and spec.description is not None:
        params["Description"] = spec.description
    if "ephemeral_storage" in fields and spec.ephemeral_storage is not None:
        params["EphemeralStorage"] = {"Size": spec.ephemeral_storage}
    if "env" in fields and spec.env is not None:
        params["Environment"] = {"Variables": dict(spec.env.items())}
    if "layers" in fields and spec.layers is not None:
        params["Layers"] = list(spec.layers)
    if "snapstart" in fields and spec.snapstart is not None:
        params["SnapStart"] = {"ApplyOn": "PublishedVersions" if spec.snapstart else "None"}
    if "subnets" in fields or "security_groups" in fields:
        vpc: VpcConfigResponseTypeDef = (current or {}).get("VpcConfig") or {}
        subnets = spec.subnets if spec.subnets is not None else vpc.get("SubnetIds") or ()
        groups = (
            spec.security_groups if spec.security_groups is not None else vpc.get("SecurityGroupIds") or ()
        )
        params["VpcConfig"] = {"SubnetIds": list(subnets), "SecurityGroupIds": list(groups)}


def env_change(spec: FunctionSpec, config: FunctionConfigurationTypeDef | None) -> EnvChange | None:
    """Names added, removed and changed by the spec's env against a Configuration (None: creating)."""
    if spec.env is None:
        return None
    wanted = dict(spec.env.items())
    environment = (config or {}).get("Environment") or {}
    have = dict(environment.get("Variables") or {})
    error = environment.get("Error") or {}
    unreadable = None
    if error and not have:
        unreadable = str(error.get("ErrorCode") or "Environment.Error")
    return EnvChange(
        added=tuple(sorted(set(wanted) - set(have))),
        removed=tuple(sorted(set(have) - set(wanted))),
        changed=tuple(sorted(k for k in set(wanted) & set(have) if wanted[k] != have[k])),
        unreadable=unreadable,
    )


def plan_deploy(
    spec: FunctionSpec,
    package: LocalPackage | None,
    response: GetFunctionResponseTypeDef | None,
    warnings: tuple[str, ...] = (),
) -> DeployPlan:
    """Pure: compare the spec with one GetFunction response (None: the function does not exist)."""
    local_sha = code_sha256(package.data) if package else None
    if response is None:
        env = env_change(spec, None)
        create = CreateFunction(spec.name, spec.code is not None, tuple(sorted(spec.tags)), env, local_sha)
        return DeployPlan(spec.name, (create,), local_sha, None, warnings, env)
    config = response.get("Configuration") or {}
    current = from_configuration(config, spec.name, None)
    env = env_change(spec, config)
    fields = differing_fields(spec, config)
    instructions: list[Instruction] = []
    code = _code_changes(spec, local_sha, response, current)
    if code:
        instructions.append(UpdateCode(spec.name, code, local_sha))
    if fields:
        vpc = config.get("VpcConfig") or {}
        current_vpc = (tuple(vpc.get("SubnetIds") or ()), tuple(vpc.get("SecurityGroupIds") or ()))
        changes = _field_changes(_current_config(config), _desired_config(spec), fields, env)
        instructions.append(UpdateConfiguration(spec.name, fields, changes, current_vpc))
    current_tags = response.get("Tags") or {}
    tags = tuple(sorted(k for k, v in spec.tags.items() if current_tags.get(k) != v))
    if tags:
        instructions.append(TagFunction(spec.name, current.function_arn or spec.name, tags))
    return DeployPlan(spec.name, tuple(instructions), local_sha, current, warnings, env)


def _code_changes(
    spec: FunctionSpec, local_sha: str | None, response: GetFunctionResponseTypeDef, current: FunctionStatus
) -> tuple[FieldChange, ...]:
    """The code's and the architecture's change (both go by UpdateFunctionCode); () when none."""
    code_update = False
    live_sha = (response.get("Configuration") or {}).get("CodeSha256")
    if spec.code is not None:
        if spec.code.kind in ("zip", "dir"):
            code_update = local_sha != live_sha
        elif spec.code.kind == "image":
            code_update = _image_changed(spec.code.image_uri or "", response.get("Code") or {})
        else:  # an S3 object's hash is unknown until Lambda reads it: always upload
            code_update = True
    changes: tuple[FieldChange, ...] = ()
    if spec.architecture and spec.architecture != current.architecture:
        code_update = True  # Architectures is a parameter of UpdateFunctionCode
        changes = (FieldChange("architecture", current.architecture, spec.architecture),)
    if code_update:
        new_code = local_sha or (spec.code.image_uri if spec.code and spec.code.kind == "image" else None)
        changes = (FieldChange("code", live_sha, new_code or "uploaded (S3)"), *changes)
    return changes


def _field_changes(
    have: Mapping[str, FieldValue],
    want: Mapping[str, FieldValue],
    fields: tuple[str, ...],
    env: EnvChange | None,
) -> tuple[FieldChange, ...]:
    changes = []
    for key in fields:
        if key == "env":
            changes.append(FieldChange("environment", env=env or EnvChange()))
        elif key == "vpc":
            for part in ("subnets", "security_groups"):
                if part in want and have.get(part) != want[part]:
                    changes.append(FieldChange(LABELS[part][0], have.get(part), want[part]))
        else:
            changes.append(FieldChange(LABELS.get(key, (key, ""))[0], have.get(key), want[key]))
    return tuple(changes)


def _image_changed(uri: str, code: FunctionCodeLocationTypeDef) -> bool:
    """A digest URI is compared; a tag may have been pushed again since, so it always updates."""
    if "@sha256:" not in uri:
        return True
    return uri not in (code.get("ImageUri"), code.get("ResolvedImageUri"))
