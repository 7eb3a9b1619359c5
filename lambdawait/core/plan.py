"""What a deploy will do, computed from one GetFunction read: pure data that `--dry-run` prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lambdawait.core.errors import UsageError
from lambdawait.core.models import FunctionStatus
from lambdawait.core.package import LocalPackage, code_sha256
from lambdawait.core.responses import from_get_function
from lambdawait.core.spec import FunctionSpec


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

    def document(self) -> dict[str, list[str]]:
        return {"added": list(self.added), "removed": list(self.removed), "changed": list(self.changed)}


# How each configuration field is named in a plan, and its unit. "timeout (function)" because
# `deploy --timeout` sets the function's own timeout; how long lambdawait waits is --wait-timeout.
_LABELS: dict[str, tuple[str, str]] = {
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
    old: Any = None
    new: Any = None
    env: EnvChange | None = None

    def describe(self) -> str:
        """`timeout (function): 3 s → 600 s`; `environment: added CC; changed BB (values not shown)`."""
        if self.env is not None:
            return f"{self.field}: {self.env.describe() or 'unchanged'} (values not shown)"
        if self.field in ("layers", "subnets", "security groups"):
            return f"{self.field}: {_list_change(self.old or (), self.new or ())}"
        return f"{self.field}: {self._show(self.old)} → {self._show(self.new)}"

    def _show(self, value: Any) -> str:
        if value is None or value == "":
            return "(none)"
        if isinstance(value, bool):
            return "on" if value else "off"
        if self.field == "code":
            return _short_sha(str(value))
        unit = next((u for label, u in _LABELS.values() if label == self.field), "")
        return f"{value}{unit}"

    def document(self) -> dict[str, Any]:
        if self.env is not None:
            return {"field": "environment", "old": None, "new": None, **self.env.document()}
        old, new = (list(v) if isinstance(v, tuple) else v for v in (self.old, self.new))
        return {"field": self.field, "old": old, "new": new}


def _short_sha(sha: str) -> str:
    return sha[:12] + "…" if len(sha) > 13 else sha


def _list_change(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    added = [x for x in new if x not in old]
    removed = [x for x in old if x not in new]
    parts = [
        f"{label} {', '.join(items)}" for label, items in (("added", added), ("removed", removed)) if items
    ]
    return "; ".join(parts) or f"reordered ({', '.join(new)})"


def _field_changes(
    have: Mapping[str, Any], want: Mapping[str, Any], fields: tuple[str, ...], env: EnvChange | None
) -> tuple[FieldChange, ...]:
    changes = []
    for key in fields:
        if key == "env":
            changes.append(FieldChange("environment", env=env or EnvChange()))
        elif key == "vpc":
            for part in ("subnets", "security_groups"):
                if part in want and have.get(part) != want[part]:
                    changes.append(FieldChange(_LABELS[part][0], have.get(part), want[part]))
        else:
            changes.append(FieldChange(_LABELS.get(key, (key, ""))[0], have.get(key), want[key]))
    return tuple(changes)


@dataclass(frozen=True)
class DeployPlan:
    """What a deploy will do; `--dry-run` prints exactly this."""

    function: str
    create: bool
    code_update: bool
    config_fields: tuple[str, ...]
    tags: tuple[str, ...]
    local_sha256: str | None
    current: FunctionStatus | None
    warnings: tuple[str, ...] = ()
    # (SubnetIds, SecurityGroupIds) as read: a partial VPC change sends the other half unchanged.
    current_vpc: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    # None: the environment is not touched (no --env / --env-file).
    env: EnvChange | None = None
    # Each changed field, old -> new (code as CodeSha256): what --dry-run shows as the diff.
    field_changes: tuple[FieldChange, ...] = ()

    @property
    def changes(self) -> bool:
        return self.create or self.code_update or bool(self.config_fields) or bool(self.tags)

    def step_names(self) -> list[str]:
        """The mutating steps, in the order they run (the names a failed deploy reports)."""
        if self.create:
            return ["create"]
        wanted = (("code", self.code_update), ("configuration", self.config_fields), ("tags", self.tags))
        return [name for name, needed in wanted if needed]

    def describe(self) -> list[str]:
        if self.create:
            names = f" with environment variables {', '.join(self.env.added)}" if self.env else ""
            return [f"create {self.function}{names}"]
        # A step, then its fields indented under it, old -> new.
        steps = []
        code = [c for c in self.field_changes if c.field in ("code", "architecture")]
        config = [c for c in self.field_changes if c not in code]
        if self.code_update:
            steps += [f"update code of {self.function}:", *(f"  {c.describe()}" for c in code)]
        if self.config_fields:
            steps += [f"update configuration of {self.function}:", *(f"  {c.describe()}" for c in config)]
        if self.tags:
            steps.append(f"tag: {', '.join(self.tags)}")
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


def _current_config(config: Mapping[str, Any]) -> dict[str, Any]:
    vpc = config.get("VpcConfig") or {}
    return {
        "runtime": config.get("Runtime"),
        "handler": config.get("Handler"),
        "role": config.get("Role"),
        "memory": config.get("MemorySize"),
        "timeout": config.get("Timeout"),
        "ephemeral_storage": (config.get("EphemeralStorage") or {}).get("Size"),
        "env": dict((config.get("Environment") or {}).get("Variables") or {}),
        "layers": tuple(layer["Arn"] for layer in config.get("Layers") or []),
        "description": config.get("Description") or "",
        "subnets": tuple(sorted(vpc.get("SubnetIds") or [])),
        "security_groups": tuple(sorted(vpc.get("SecurityGroupIds") or [])),
        "snapstart": (config.get("SnapStart") or {}).get("ApplyOn") == "PublishedVersions",
    }


def desired_config(spec: FunctionSpec) -> dict[str, Any]:
    """Only what the user gave; None means "keep"."""
    wanted: dict[str, Any] = {
        "runtime": spec.runtime,
        "handler": spec.handler,
        "role": spec.role,
        "memory": spec.memory,
        "timeout": spec.timeout,
        "ephemeral_storage": spec.ephemeral_storage,
        "env": dict(spec.env.items()) if spec.env is not None else None,
        "layers": spec.layers,
        "description": spec.description,
        "subnets": tuple(sorted(spec.subnets)) if spec.subnets is not None else None,
        "security_groups": tuple(sorted(spec.security_groups)) if spec.security_groups is not None else None,
        "snapstart": spec.snapstart,
    }
    return {key: value for key, value in wanted.items() if value is not None}


def config_request(
    spec: FunctionSpec, fields: tuple[str, ...], current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """UpdateFunctionConfiguration / CreateFunction parameters for the given fields.

    `current` is the function's Configuration: VpcConfig is one parameter, so when only subnets
    or only security groups were given, the other half is sent as it is now, not emptied.
    """
    wanted = desired_config(spec)
    params: dict[str, Any] = {}
    simple = {"runtime": "Runtime", "handler": "Handler", "role": "Role", "memory": "MemorySize"}
    simple |= {"timeout": "Timeout", "description": "Description"}
    for key in fields:
        if key in simple:
            params[simple[key]] = wanted[key]
        elif key == "ephemeral_storage":
            params["EphemeralStorage"] = {"Size": wanted[key]}
        elif key == "env":
            params["Environment"] = {"Variables": wanted[key]}
        elif key == "layers":
            params["Layers"] = list(wanted[key])
        elif key == "snapstart":
            params["SnapStart"] = {"ApplyOn": "PublishedVersions" if wanted[key] else "None"}
    if "subnets" in fields or "security_groups" in fields:
        vpc = (current or {}).get("VpcConfig") or {}
        subnets = spec.subnets if spec.subnets is not None else vpc.get("SubnetIds") or ()
        groups = spec.security_groups
        if groups is None:
            groups = vpc.get("SecurityGroupIds") or ()
        params["VpcConfig"] = {"SubnetIds": list(subnets), "SecurityGroupIds": list(groups)}
    return params


def env_change(spec: FunctionSpec, config: Mapping[str, Any] | None) -> EnvChange | None:
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
    response: Mapping[str, Any] | None,
    warnings: tuple[str, ...] = (),
) -> DeployPlan:
    """Pure: compare the spec with one GetFunction response (None: the function does not exist)."""
    local_sha = code_sha256(package.data) if package else None
    if response is None:
        tags = tuple(sorted(spec.tags))
        env = env_change(spec, None)
        return DeployPlan(spec.name, True, bool(spec.code), (), tags, local_sha, None, warnings, env=env)
    config = response.get("Configuration") or {}
    current = from_get_function(response, spec.name, None)
    code_update = False
    if spec.code is not None:
        if spec.code.kind in ("zip", "dir"):
            code_update = local_sha != config.get("CodeSha256")
        elif spec.code.kind == "image":
            code_update = _image_changed(spec.code.image_uri or "", response.get("Code") or {})
        else:  # an S3 object's hash is unknown until Lambda reads it: always upload
            code_update = True
    if spec.architecture and spec.architecture != current.architecture:
        code_update = True  # Architectures is a parameter of UpdateFunctionCode
    have, want = _current_config(config), desired_config(spec)
    fields = tuple(key for key, value in want.items() if have.get(key) != value)
    if "subnets" in fields or "security_groups" in fields:
        fields = (*(f for f in fields if f not in ("subnets", "security_groups")), "vpc")
    current_tags = response.get("Tags") or {}
    tags = tuple(sorted(k for k, v in spec.tags.items() if current_tags.get(k) != v))
    vpc = config.get("VpcConfig") or {}
    current_vpc = (tuple(vpc.get("SubnetIds") or ()), tuple(vpc.get("SecurityGroupIds") or ()))
    env = env_change(spec, config)
    diff = _field_changes(have, want, fields, env)
    if spec.architecture and spec.architecture != current.architecture:
        diff = (FieldChange("architecture", current.architecture, spec.architecture), *diff)
    if code_update:
        new_code = local_sha or (spec.code.image_uri if spec.code and spec.code.kind == "image" else None)
        diff = (FieldChange("code", config.get("CodeSha256"), new_code or "uploaded (S3)"), *diff)
    return DeployPlan(
        spec.name, False, code_update, fields, tags, local_sha, current, warnings, current_vpc,
        env, diff,
    )  # fmt: skip


def _image_changed(uri: str, code: Mapping[str, Any]) -> bool:
    """A digest URI is compared; a tag may have been pushed again since, so it always updates."""
    if "@sha256:" not in uri:
        return True
    return uri not in (code.get("ImageUri"), code.get("ResolvedImageUri"))
