"""`lambdawait deploy`: validate everything, deploy, then optionally publish and shift, as one result."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
from lambdawait.core.errors import LambdawaitError, UsageError
from lambdawait.core.ledger import Ledger
from lambdawait.core.models import FunctionStatus
from lambdawait.core.package import LocalPackage, load_package
from lambdawait.core.preflight import check, check_name
from lambdawait.core.signals import interrupts
from lambdawait.core.spec import FunctionSpec

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

    from lambdawait.aws.cd_handoff import HandOff
    from lambdawait.aws.deploy import DeployPlan
    from lambdawait.aws.publish import PublishResult
    from lambdawait.aws.shift import ShiftRequest


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
    session: Session, spec: FunctionSpec, release: Release, current: Mapping[str, Any] | None
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
            new_role = spec.role or (current.get("Configuration") or {}).get("Role")
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


def check_layers_exist(client: LambdaClient, spec: FunctionSpec, plan: DeployPlan) -> None:
    """Refuse a --layer version that does not exist, before Lambda refuses it after the code landed.

    Only "not found" refuses: any other answer (no permission to read the layer, another region)
    is left for Lambda to judge when the configuration is sent. GetLayerVersion takes the layer's
    ARN; GetLayerVersionByArn would do as well but moto (so the simulator) lacks it.
    """
    import botocore.exceptions

    from lambdawait.core.errors import client_error_code

    if not spec.layers or not (plan.create or "layers" in plan.config_fields):
        return
    for arn in spec.layers:
        layer, _, version = arn.rpartition(":")
        try:
            client.get_layer_version(LayerName=layer, VersionNumber=int(version))
        except botocore.exceptions.ClientError as exc:
            if client_error_code(exc) == "ResourceNotFoundException":
                raise UsageError(
                    f"layer version {arn} does not exist",
                    hint="publish it first, or fix the ARN (aws lambda list-layer-versions --layer-name "
                    f"{layer})",
                ) from None


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
) -> dict[str, Any]:
    prepared = _prepare(session, spec, release, timeout)
    plan = prepared.plan
    if dry_run:
        return _document(
            "deploy",
            "planned",
            session,
            functions=[_entry(plan.current)] if plan.current else [],
            plan=_plan_document(plan, release, prepared.package, wait_timeout=timeout),
            warnings=list(plan.warnings),
            codeSha256=plan.local_sha256,
        )
    ledger = Ledger(spec.name, _steps(plan, release), alias=release.alias)
    try:
        return _execute(session, prepared, ledger)
    except LambdawaitError as err:
        # Whatever stopped the deploy, its error ends with what changed and what did not.
        raise ledger.annotate(err) from err.__cause__


def _prepare(session: Session, spec: FunctionSpec, release: Release, timeout: float) -> _Prepared:
    """Every check that can refuse the deploy, made before anything changes (also for --dry-run)."""
    check_name(spec.name)  # before the name becomes part of a request URL
    package = load_package(spec.code) if spec.code else None
    client = session.clients.lambda_()
    deployer = Deployer(client, session.waiter(), timeout=timeout, on_step=session.out.step)
    response = deployer.read(spec.name)
    config = (response or {}).get("Configuration") or {}
    archs = config.get("Architectures") or [None]
    report = check(
        spec,
        package,
        current_architecture=archs[0],
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
        # (Clients has no ecr() yet: aws.py is another helper's this session.)
        ecr = session.clients.ecr()
        spec = pin(ecr, spec, archs[0] if response is not None else None, session.out.step)
    request = _validate_release(session, spec, release, response)
    plan = plan_deploy(spec, package, response, report.warnings)
    check_plan(spec, plan)
    check_layers_exist(client, spec, plan)
    return _Prepared(spec, release, package, deployer, plan, request, timeout)


def _plan_document(
    plan: DeployPlan, release: Release, package: LocalPackage | None, *, wait_timeout: float | None = None
) -> dict[str, Any]:
    steps = plan.describe()
    if package is not None and package.included_files is not None:
        # --dir: what went into the zip, so a left-out file is seen before it is missed.
        left_out = package.exclusion_summary() or "no files excluded"
        count = package.included_files
        steps.append(f"package {package.label}: {count} file{'' if count == 1 else 's'} zipped, {left_out}")
    return {
        "package": _package_document(package),
        "create": plan.create,
        "codeUpdate": plan.code_update,
        "configFields": list(plan.config_fields),
        "changes": [change.document() for change in plan.field_changes],
        "env": plan.env.document() if plan.env is not None else None,
        "tags": list(plan.tags),
        "publish": release.publish,
        "alias": release.alias,
        "strategy": release.strategy if release.alias else None,
        # How long each change is waited on: the deadline, not the function's Timeout.
        "waitTimeoutSeconds": wait_timeout,
        "steps": steps,
    }


def _package_document(package: LocalPackage | None) -> dict[str, Any] | None:
    if package is None or package.included_files is None:
        return None
    return {
        "label": package.label,
        "includedFiles": package.included_files,
        "excludedFiles": package.excluded_files,
        "excluded": dict(package.excluded),
    }


def _steps(plan: DeployPlan, release: Release) -> list[str]:
    return [
        *plan.step_names(),
        *(["publish"] if release.publish else []),
        *(["alias"] if release.alias else []),
    ]


def _execute(session: Session, prepared: _Prepared, ledger: Ledger) -> dict[str, Any]:
    spec, plan, release = prepared.spec, prepared.plan, prepared.release
    try:
        with session.out.group(f"Deploying {spec.name}"), interrupts(session.clock):
            result = prepared.deployer.apply(spec, prepared.package, plan, ledger=ledger)
    except KeyboardInterrupt as exc:
        raise _interrupted_state(session, spec.name, exc) from None
    document = _document(
        "deploy",
        result.outcome,
        session,
        functions=[_entry(result.status)],
        plan=_plan_document(plan, release, prepared.package),
        warnings=list(plan.warnings),
        codeSha256=result.status.code_sha256 if result.status else plan.local_sha256,
        version=None,
        shift=None,
    )
    if release.publish:
        document.update(_release(session, prepared, result.status, ledger))
        document["elapsedSeconds"] = session.elapsed()
    return document


def _release(
    session: Session, prepared: _Prepared, deployed: FunctionStatus | None, ledger: Ledger
) -> dict[str, Any]:
    """Publish what the deploy left, then shift the alias to it."""
    from dataclasses import replace

    spec, release, request = prepared.spec, prepared.release, prepared.request
    from lambdawait.output.documents import alias_doc

    ledger.begin("publish")
    try:
        with interrupts(session.clock):
            published = publish_what_landed(
                session, spec.name, release, deployed, prepared.timeout, ledger, on_step=session.out.step
            )
    except KeyboardInterrupt as exc:
        raise _interrupted_state(session, spec.name, exc) from None
    ledger.land("publish", version=published.version)
    extra: dict[str, Any] = {"version": published.version, "published": published.created}
    if request is None:
        return extra
    request = replace(request, to_version=published.version)
    if release.handoff is not None:
        from lambdawait.app.cd_shift import deploy_shift

        ledger.begin("alias")
        extra.update(deploy_shift(session, request, gates_spec=release.gates, handoff=release.handoff))
        ledger.land("alias")
        return extra
    shifter = _shifter(session, release.gates)
    ledger.begin("alias")
    with (
        interrupts(session.clock),
        session.out.group(f"Shifting {request.alias} to version {request.to_version}"),
    ):
        shifted = shifter.run(request)
    ledger.land("alias")
    extra["shift"] = {
        "outcome": shifted.outcome,
        "alias": alias_doc(shifted.final),
        "fromVersion": shifted.from_version,
        "toVersion": shifted.to_version,
        "strategy": request.strategy.name,
        "weightsApplied": list(shifted.weights_applied),
    }
    return extra


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
