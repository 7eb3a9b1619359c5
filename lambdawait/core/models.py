"""Frozen result types shared by the core and the renderers."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FunctionStatus:
    """What GetFunction says about one function or version, reduced to what lambdawait reports."""

    function: str
    qualifier: str | None = None
    state: str | None = None
    state_reason: str | None = None
    state_reason_code: str | None = None
    last_update_status: str | None = None
    last_update_status_reason: str | None = None
    last_update_status_reason_code: str | None = None
    version: str | None = None
    runtime: str | None = None
    handler: str | None = None
    architecture: str | None = None
    package_type: str | None = None
    code_sha256: str | None = None
    code_size: int | None = None
    last_modified: str | None = None
    revision_id: str | None = None
    role: str | None = None
    memory: int | None = None
    timeout: int | None = None
    description: str | None = None
    env_names: tuple[str, ...] = ()
    function_arn: str | None = None

    @property
    def label(self) -> str:
        """FUNCTION or FUNCTION:QUALIFIER, as a user would type it."""
        return f"{self.function}:{self.qualifier}" if self.qualifier else self.function

    @property
    def reason_code(self) -> str | None:
        """The reason code that explains the current condition (update reason first)."""
        if self.last_update_status == "Failed" and self.last_update_status_reason_code:
            return self.last_update_status_reason_code
        return self.state_reason_code or self.last_update_status_reason_code


class WaitOutcome(str, enum.Enum):
    """How one wait ended."""

    READY = "ready"
    FAILED = "failed"
    INACTIVE = "inactive"
    UNSUPPORTED_STATE = "unsupported-state"
    TIMEOUT = "timeout"
    NOT_FOUND = "not-found"
    ERROR = "error"


@dataclass(frozen=True)
class WaitResult:
    """The end of one function's wait: the outcome, the last state seen, and why."""

    function: str
    qualifier: str | None
    target: str
    outcome: WaitOutcome
    status: FunctionStatus | None
    elapsed: float
    polls: int
    message: str
    remediation: str | None = None
    error_code: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is WaitOutcome.READY


@dataclass(frozen=True)
class AliasInfo:
    """An alias with its primary version and the weighted extra version, if any."""

    name: str
    function_version: str
    weights: dict[str, float] = field(default_factory=dict)
    revision_id: str | None = None
    description: str | None = None
    arn: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    """A published version and its state."""

    version: str
    state: str | None
    state_reason_code: str | None
    code_sha256: str | None
    last_modified: str | None
    description: str | None = None


@dataclass(frozen=True)
class ProvisionedInfo:
    """The provisioned concurrency config of one alias or version."""

    qualifier: str
    requested: int
    allocated: int
    status: str  # IN_PROGRESS | READY | FAILED
    reason: str | None = None


@dataclass(frozen=True)
class FunctionReport:
    """Everything `lambdawait status` shows for one function."""

    status: FunctionStatus
    versions: tuple[VersionInfo, ...]
    aliases: tuple[AliasInfo, ...]
    remediation: str | None
    provisioned: tuple[ProvisionedInfo, ...] = ()
