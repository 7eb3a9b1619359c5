"""`lambdawait deploy`: validate everything, deploy, then optionally publish and shift, as one result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from lambdawait.app.commands import (
    Session,
    _document,
    _entry,
    _gates,
    _interrupted_state,
    _shifter,
    shift_request,
)
from lambdawait.aws.deploy import Deployer, check_plan, plan_deploy
from lambdawait.aws.gates import GateSpec
from lambdawait.aws.layers import check_layers_exist
from lambdawait.core.errors import LambdawaitError, UsageError
from lambdawait.core.instructions import Publish, ReleaseInstruction, ShiftAlias
from lambdawait.core.ledger import Ledger
from lambdawait.core.models import FunctionStatus
from lambdawait.core.package import LocalPackage, load_package
from lambdawait.core.preflight import check, check_name
from lambdawait.core.signals import interrupts
from lambdawait.core.spec import FunctionSpec
from lambdawait.output.plan_document import plan_document

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_lambda.type_defs import FunctionConfigurationTypeDef, GetFunctionResponseTypeDef

    from lambdawait.aws.cd_handoff import HandOff
    from lambdawait.aws.deploy import DeployPlan
    from lambdawait.aws.publish import PublishResult
    from lambdawait.aws.shift import ShiftRequest
    from lambdawait.core.doc_types import DocumentFields, ResultDocument


@dataclass(frozen=True)
class Release:
    """The optional publish + shift that follow a deploy."""

    publish: bool = False
    description: str | None = None
    alias: str | None = None
    strategy: str = "AllAtOnce"
    gates: GateSpec = field(default_factory=GateSpec)
    on_interrupt: str = "rollback"
    force: bool = False
    handoff: HandOff | None = None  # --engine codedeploy: CodeDeploy holds the shift (cd_shift)


def _validate_release(
    session: Session, spec: FunctionSpec, release: Release, current: GetFunctionResponseTypeDef | None
) -> ShiftRequest | None:
    """Shift options are checked before the deploy mutates anything.

    Whatever the shift would refuse after publishing (a split alias, one on $LATEST, a role change
    under a weighted strategy) is refused here, while nothing has changed yet.
    """
    if release.alias is None:
        return None
    if not release.publish:
        raise UsageError("--alias needs --publish", hint="add --publish so there is a version to shift to")
    # A placeholder version: the real number exists only after publishing.
    request = shift_request(
        spec.name,
        alias=release.alias,
        version="1",
        strategy_text=release.strategy,
        on_interrupt=release.on_interrupt,
        force=release.force,
    )
    _gates(session, release.gates).check_alarms_exist()
    if current is not None:
        from lambdawait.aws.shift import get_alias, weighted

        client = session.clients.lambda_()
        alias = get_alias(client, spec.name, release.alias)
        if alias is not None and alias.weights and not release.force:
            # What a killed run left, said the way `shift` says it, before anything changes.
            from lambdawait.aws.aliases import read_record, repair_command
            from lambdawait.aws.shift import found_split

            found = found_split(spec.name, alias, read_record(client, spec.name, alias))
            fix = repair_command(spec.name, release.alias, alias.function_version)
            raise UsageError(found, hint=f"finish it, or `{fix}`, or pass --force")
        if alias is not None and weighted(request.steps):
            config = current.get("Configuration")
            new_role = spec.role or (config.get("Role") if config else None)
            _check_weighted_shift(client, spec.name, release, alias.function_version, new_role)
    return request


def _check_weighted_shift(
    client: LambdaClient, function: str, release: Release, serving: str, new_role: str | None
) -> None:
    """A weighted alias needs a version on each side, both running as the same role."""
    if not serving.isdigit():
        raise UsageError(
            f"alias {release.alias} points at {serving}, which cannot take part in a "
            f"{release.strategy} shift (Lambda weights only published versions)",
            hint=f"point it at a version first (`lambdawait shift {function} --alias {release.alias} "
            "--to-version N --strategy AllAtOnce`), or deploy with --strategy AllAtOnce",
        )
    config = client.get_function(FunctionName=function, Qualifier=serving)["Configuration"]
    old_role = config.get("Role")
    if new_role and old_role and old_role != new_role:
        raise UsageError(
            f"alias {release.alias} serves version {serving} running as {old_role}, and the new "
            f"version would run as {new_role}: Lambda refuses weighted aliases across roles",
            hint=f"deploy with --role {old_role}, or shift with --strategy AllAtOnce",
        )


@dataclass(frozen=True)
class _Prepared:
    """A deploy checked and planned: everything decided before the first change."""

    spec: FunctionSpec
    release: Release
    package: LocalPackage | None
    deployer: Deployer
    plan: DeployPlan
    request: ShiftRequest | None
    timeout: float


def run_deploy(
    session: Session, spec: FunctionSpec, *, release: Release, dry_run: bool, timeout: float
) -> ResultDocument:
    prepared = _prepare(session, spec, release, timeout)
    # One plan: --dry-run shows it, the ledger names its steps, and the run executes it.
    plan = prepared.plan.then(*release_instructions(spec.name, release))
    if dry_run:
        return _document(
            "deploy",
            "planned",
            session,
            functions=[_entry(plan.current)] if plan.current else [],
            plan=plan_document(plan, prepared.package, wait_timeout=timeout),
            warnings=list(plan.warnings),
            codeSha256=plan.local_sha256,
        )
    ledger = Ledger(spec.name, list(plan.step_names()), alias=release.alias)
    try:
        return _execute(session, replace(prepared, plan=plan), ledger)
    except LambdawaitError as err:
        # Whatever stopped the deploy, its error ends with what changed and what did not.
        raise ledger.annotate(err) from err.__cause__


def release_instructions(function: str, release: Release) -> tuple[ReleaseInstruction, ...]:
    """What follows the function's changes: publish, then the alias shift.

    `deploy` refuses --alias without --publish before planning (_validate_release), so there a
    ShiftAlias always follows a Publish; `plan` shows a manifest's alias as it was given.
    """
    publish = (Publish(function),) if release.publish else ()
    shift = (ShiftAlias(function, release.alias, release.strategy),) if release.alias else ()
    return (*publish, *shift)


def _prepare(session: Session, spec: FunctionSpec, release: Release, timeout: float) -> _Prepared:
    """Every check that can refuse the deploy, made before anything changes (also for --dry-run)."""
    check_name(spec.name)  # before the name becomes part of a request URL
    package = load_package(spec.code) if spec.code else None
    client = session.clients.lambda_()
    deployer = Deployer(client, session.waiter(), timeout=timeout, on_step=session.out.step)
    response = deployer.read(spec.name)
    config: FunctionConfigurationTypeDef = response.get("Configuration") or {} if response else {}
    architecture = next(iter(config.get("Architectures") or ()), None)
    report = check(
        spec,
        package,
        current_architecture=architecture,
        current_runtime=config.get("Runtime"),
        current_handler=config.get("Handler"),
        current_layers=len(config.get("Layers") or []) if response is not None else None,
        creating=response is None,
    )
    for warning in report.warnings:
        session.out.warn(warning)
    if spec.code is not None and spec.code.kind == "image":
        from lambdawait.aws.images import pin

        # Through ECR (read-only), before any change: the digest to deploy and its architecture.
        ecr = session.clients.ecr()
        spec = pin(ecr, spec, architecture if response is not None else None, session.out.step)
    request = _validate_release(session, spec, release, response)
    plan = plan_deploy(spec, package, response, report.warnings)
    check_plan(spec, plan)
    check_layers_exist(client, spec, plan)
    return _Prepared(spec, release, package, deployer, plan, request, timeout)


def _execute(session: Session, prepared: _Prepared, ledger: Ledger) -> ResultDocument:
    spec, plan = prepared.spec, prepared.plan
    try:
        with session.out.group(f"Deploying {spec.name}"), interrupts(session.clock):
            result = prepared.deployer.apply(spec, prepared.package, plan, ledger=ledger)
    except KeyboardInterrupt as exc:
        raise _interrupted_state(session, spec.name, exc) from None
    fields: DocumentFields = {
        "plan": plan_document(plan, prepared.package),
        "warnings": list(plan.warnings),
        "codeSha256": result.status.code_sha256 if result.status else plan.local_sha256,
        "version": None,
        "shift": None,
    }
    fields.update(_release(session, prepared, result.status, ledger))
    # Made once the release is done: elapsedSeconds covers the publish and the shift too.
    return _document("deploy", result.outcome, session, functions=[_entry(result.status)], **fields)


def _release(
    session: Session, prepared: _Prepared, deployed: FunctionStatus | None, ledger: Ledger
) -> DocumentFields:
    """The plan's release instructions in order: publish what the deploy left, then shift to it."""
    extra: DocumentFields = {}
    version: str | None = None
    for instruction in prepared.plan.release:
        if isinstance(instruction, Publish):
            version = _publish(session, prepared, instruction, deployed, ledger, extra)
        else:
            assert version is not None, "ShiftAlias follows Publish (release_instructions)"
            _shift(session, prepared, instruction, version, ledger, extra)
    return extra


def _publish(
    session: Session,
    prepared: _Prepared,
    publish: Publish,
    deployed: FunctionStatus | None,
    ledger: Ledger,
    extra: DocumentFields,
) -> str:
    ledger.begin(publish.step)
    try:
        with interrupts(session.clock):
            published = publish_what_landed(
                session,
                publish.function,
                prepared.release,
                deployed,
                prepared.timeout,
                ledger,
                on_step=session.out.step,
            )
    except KeyboardInterrupt as exc:
        raise _interrupted_state(session, publish.function, exc) from None
    ledger.land(publish.step, version=published.version)
    extra["version"], extra["published"] = published.version, published.created
    return published.version


def _shift(
    session: Session,
    prepared: _Prepared,
    shift: ShiftAlias,
    version: str,
    ledger: Ledger,
    extra: DocumentFields,
) -> None:
    """The alias to `version`: on CodeDeploy (--engine codedeploy) or by lambdawait's Shifter."""
    from lambdawait.output.documents import alias_doc

    release = prepared.release
    assert prepared.request is not None, "a ShiftAlias is planned only with a validated request"
    request = replace(prepared.request, to_version=version)
    if release.handoff is not None:
        from lambdawait.app.cd_shift import deploy_shift

        ledger.begin(shift.step)
        extra.update(deploy_shift(session, request, gates_spec=release.gates, handoff=release.handoff))
        ledger.land(shift.step)
        return
    shifter = _shifter(session, release.gates)
    ledger.begin(shift.step)
    with (
        interrupts(session.clock),
        session.out.group(f"Shifting {request.alias} to version {request.to_version}"),
    ):
        shifted = shifter.run(request)
    ledger.land(shift.step)
    extra["shift"] = {
        "outcome": shifted.outcome,
        "alias": alias_doc(shifted.final),
        "fromVersion": shifted.from_version,
        "toVersion": shifted.to_version,
        "strategy": request.strategy.name,
        "weightsApplied": list(shifted.weights_applied),
    }


def publish_what_landed(
    session: Session,
    name: str,
    release: Release,
    deployed: FunctionStatus | None,
    timeout: float,
    ledger: Ledger,
    *,
    on_step: Callable[[str], None] | None = None,
) -> PublishResult:
    """Publish exactly what this deploy left: the code it saw land and the revision it ended on,
    so a change by anyone else since is refused instead of published (deploy and apply alike)."""
    from lambdawait.aws.publish import publish_version

    return publish_version(
        session.clients.lambda_(),
        session.waiter(),
        name,
        description=release.description,
        code_sha256=deployed.code_sha256 if deployed else None,
        revision_id=deployed.revision_id if deployed else None,
        timeout=max(timeout, 900.0),  # SnapStart snapshots take minutes
        on_published=lambda version: ledger.accept("publish", version=version),
        on_step=on_step,
    )
