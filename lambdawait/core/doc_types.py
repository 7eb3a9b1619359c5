"""The JSON result documents as types: schema/result.schema.json (the README's contract) in TypedDicts.

Each object of the schema is one TypedDict here. Keys the schema requires are required here
(a `_...Required` base); keys it lists as optional are `total=False`. A document carries some
fields the schema does not list (it allows additional properties): they are declared here too,
each in the object that carries it, so every key a command prints has a type.
tests/unit/test_doc_types.py fails when the two drift apart.

The required/optional split uses a `total=False` subclass rather than `NotRequired`, so
`__required_keys__` is right at run time on Python 3.10 too (the drift test reads it).
"""

from __future__ import annotations

from typing import Literal, TypedDict, TypeGuard, get_args

# JSON values we pass through without looking inside (plan changes' old and new values).
JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]

Command = Literal["wait", "status", "explain", "deploy", "publish", "shift", "rollback", "plan", "apply"]
Outcome = Literal[
    "ready", "ok", "created", "updated", "unchanged", "planned", "published", "shifted", "rolled-back",
    "started",
    "applied", "changes",
    "failed", "inactive", "unsupported-state", "usage-error", "timeout", "not-found", "error",
    "gate-failed", "alias-split", "internal-error", "interrupted",
]  # fmt: skip
ExitNumber = Literal[0, 1, 2, 3, 4, 5, 6, 7, 70, 130]
DeploymentStatus = Literal[
    "Created", "Queued", "InProgress", "Baking", "Succeeded", "Failed", "Stopped", "Ready", "Unknown"
]

COMMANDS: frozenset[str] = frozenset(get_args(Command))
OUTCOMES: frozenset[str] = frozenset(get_args(Outcome))
DEPLOYMENT_STATUSES: frozenset[str] = frozenset(get_args(DeploymentStatus))


def is_command(text: str) -> TypeGuard[Command]:
    return text in COMMANDS


def is_outcome(text: str) -> TypeGuard[Outcome]:
    return text in OUTCOMES


def is_deployment_status(text: str) -> TypeGuard[DeploymentStatus]:
    return text in DEPLOYMENT_STATUSES


def as_command(text: str) -> Command:
    """`text` as a Command; a name outside the contract is a bug (ValueError), never printed."""
    if is_command(text):
        return text
    raise ValueError(f"command {text!r} is not in the result schema")


def as_outcome(text: str) -> Outcome:
    """`text` as an Outcome; one outside the contract is a bug (errors.exit_code_for says so too)."""
    if is_outcome(text):
        return text
    raise ValueError(f"outcome {text!r} is not in the result schema")


def as_deployment_status(text: str) -> DeploymentStatus:
    """CodeDeploy's status as the schema enumerates it; a status it does not list is "Unknown"."""
    return text if is_deployment_status(text) else "Unknown"


# --- the alias ---------------------------------------------------------------------------------


class _AliasRequired(TypedDict):
    name: str
    functionVersion: str
    additionalVersionWeights: dict[str, float]


class AliasDoc(_AliasRequired, total=False):
    """$defs/alias."""

    revisionId: str | None


# --- the function entry and what it nests --------------------------------------------------------


class VersionDoc(TypedDict):
    """status: one published version (beyond the schema)."""

    version: str
    state: str | None
    stateReasonCode: str | None
    stateMeaning: str | None
    codeSha256: str | None
    lastModified: str | None
    description: str | None


class ProvisionedDoc(TypedDict):
    """status: provisioned concurrency on one qualifier (beyond the schema)."""

    qualifier: str
    requested: int | None
    allocated: int | None
    status: str | None
    statusReason: str | None


class EventDoc(TypedDict):
    """A CodeDeploy lifecycle event (deployment.lifecycleEvents[], status deployments[].events[])."""

    name: str
    status: str


class InFlightDoc(TypedDict):
    """status: a CodeDeploy deployment moving one of the function's aliases (beyond the schema)."""

    alias: str
    deploymentId: str
    status: str
    config: str
    fromVersion: str | None
    toVersion: str | None
    events: list[EventDoc]


class EnvDiffDoc(TypedDict):
    """The names of environment variables a plan adds, removes and changes (never values)."""

    added: list[str]
    removed: list[str]
    changed: list[str]


class _ChangeRequired(TypedDict):
    field: str
    old: JsonValue
    new: JsonValue


class ChangeDoc(_ChangeRequired, total=False):
    """plan.changes[]: one field, old -> new; the environment by names only."""

    added: list[str]
    removed: list[str]
    changed: list[str]


class PackageDoc(TypedDict):
    """plan.package: what `--dir` zipped (beyond the schema)."""

    label: str
    includedFiles: int
    excludedFiles: int
    excluded: dict[str, int]


class _PlanRequired(TypedDict):
    create: bool
    codeUpdate: bool
    configFields: list[str]
    publish: bool
    steps: list[str]


class PlanDoc(_PlanRequired, total=False):
    """What deploy (or apply, per function) would change."""

    tags: list[str]
    alias: str | None
    strategy: str | None
    waitTimeoutSeconds: float | None
    changes: list[ChangeDoc]
    # beyond the schema
    package: PackageDoc | None
    env: EnvDiffDoc | None


class StepsDoc(TypedDict):
    """apply: how far one function's deploy got (the ledger; beyond the schema)."""

    applied: list[str]
    notApplied: list[str]
    unconfirmed: list[str]
    liveCodeSha256: str | None
    version: str | None


class MemberErrorDoc(TypedDict):
    """apply: why one function failed (beyond the schema)."""

    message: str
    hint: str | None
    outcome: str


class MoveDoc(TypedDict):
    """apply: one alias of the set release (beyond the schema)."""

    function: str
    alias: str
    fromVersion: str | None
    toVersion: str
    weightsApplied: list[float]
    outcome: str
    detail: str | None
    final: AliasDoc | None


class ReleaseDoc(TypedDict, total=False):
    """apply's set release, or rollback's release record (beyond the schema)."""

    outcome: str
    run: str | None
    strategy: str
    aliases: list[MoveDoc]
    newCodeOnLatest: list[str]
    untouched: list[str]
    knownGood: str | None
    released: str | None
    state: str | None


class _FunctionRequired(TypedDict):
    function: str | None
    qualifier: str | None
    state: str | None
    stateReason: str | None
    stateReasonCode: str | None
    lastUpdateStatus: str | None
    lastUpdateStatusReason: str | None
    lastUpdateStatusReasonCode: str | None
    remediation: str | None


class FunctionDoc(_FunctionRequired, total=False):
    """$defs/function: one function of any command, with the fields that command adds."""

    remediationSteps: list[str]
    outcome: str
    environment: dict[str, str]
    aliases: list[AliasDoc]
    # beyond the schema: every entry
    version: str | None
    codeSha256: str | None
    revisionId: str | None
    # wait
    target: str
    message: str | None
    errorCode: str | None
    elapsedSeconds: float
    polls: int
    # status
    runtime: str | None
    handler: str | None
    architecture: str | None
    packageType: str | None
    codeSize: int | None
    lastModified: str | None
    memorySize: int | None
    timeout: int | None
    stateMeaning: str | None
    versions: list[VersionDoc]
    provisionedConcurrency: list[ProvisionedDoc]
    deployments: list[InFlightDoc]
    # plan / apply / rollback --config
    changes: bool
    plan: PlanDoc
    aliasVersion: str | None
    warnings: list[str]
    result: str
    newCodeOnLatest: bool
    alias: AliasDoc | str | None
    error: MemberErrorDoc | None
    steps: StepsDoc
    fromVersion: str | None
    toVersion: str | None
    release: ReleaseDoc | None


# --- the nested objects of the document ----------------------------------------------------------


class ErrorDoc(TypedDict):
    """error: what ended the command."""

    type: str
    message: str
    hint: str | None
    code: str | None


class _ShiftRequired(TypedDict):
    outcome: str
    alias: AliasDoc | None
    toVersion: str
    weightsApplied: list[float]


class ShiftDoc(_ShiftRequired, total=False):
    """deploy: the shift that followed the publish."""

    fromVersion: str | None
    strategy: str
    # beyond the schema: deploy --engine codedeploy
    engine: Literal["codedeploy"]
    deploymentId: str | None


class ScheduleStepDoc(TypedDict):
    """shift --plan: one step of the schedule."""

    weight: float
    atSeconds: float
    bakeSeconds: float


class FailedEventDoc(TypedDict):
    name: str
    hook: str | None
    reason: str


class _DeploymentRequired(TypedDict):
    id: str
    status: DeploymentStatus
    application: str
    deploymentGroup: str
    config: str
    lifecycleEvents: list[EventDoc]


class DeploymentDoc(_DeploymentRequired, total=False):
    """A CodeDeploy deployment (wait --deployment, --engine codedeploy)."""

    errorCode: str | None
    errorMessage: str | None
    rollbackDeploymentId: str | None
    failedEvent: FailedEventDoc


class ReasonDoc(TypedDict):
    """explain: one reason code."""

    code: str
    appliesTo: list[str]
    meaning: str
    remediation: list[str]


class TotalDoc(TypedDict):
    """plan: how many functions would change (beyond the schema)."""

    functions: int
    changed: int
    unchanged: int


class DocumentFields(TypedDict, total=False):
    """Everything a document may carry beside the fields `documents.document` decides."""

    error: ErrorDoc
    version: str | None
    codeSha256: str | None
    warnings: list[str]
    plan: PlanDoc
    alias: AliasDoc | str | None
    shift: ShiftDoc | None
    fromVersion: str | None
    toVersion: str | None
    weightsApplied: list[float]
    schedule: list[ScheduleStepDoc]
    gate: str | None
    engine: Literal["codedeploy"]
    deploymentId: str
    deployment: DeploymentDoc
    reasons: list[ReasonDoc]
    # beyond the schema
    message: str
    strategy: str
    totalSeconds: float
    fromWeights: dict[str, float]
    published: bool
    release: ReleaseDoc
    config: str
    total: TotalDoc
    throttled: int
    function: str | None
    run: str | None
    # what an error adds (where a shift left the alias, what a deploy changed, why input was refused)
    gateDetail: str
    aliasVersion: str | None
    repairCommand: str
    reasonCode: str | None
    applied: list[str]
    notApplied: list[str]
    unconfirmed: list[str]
    liveCodeSha256: str | None
    envRemoved: list[str]
    problems: list[str]
    code: str
    suggestions: list[str]
    imageArchitectures: list[str]
    functionArchitecture: str | None
    retryCommand: str


class _DocumentRequired(TypedDict):
    command: Command
    ok: bool
    outcome: Outcome
    exitCode: ExitNumber
    elapsedSeconds: float
    functions: list[FunctionDoc]


class ResultDocument(_DocumentRequired, DocumentFields):
    """The one document every command prints with --output json."""
