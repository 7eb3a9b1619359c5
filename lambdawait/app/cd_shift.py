"""`shift --engine codedeploy`: the client-side shift's pre-flight, then a CodeDeploy deployment.

Detached, it returns the deployment id at once (outcome `started`); otherwise it follows the
deployment with the same progress lines. A signal while following leaves the durable rollout
running (and says how to follow and stop it), unless `--on-interrupt rollback` asked to stop it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from lambdawait.app.cd_commands import (
    codedeploy_client,
    deployment_fields,
    follow_instructions,
    progress_sink,
)
from lambdawait.aws import cd_handoff
from lambdawait.aws.cd_follow import Deployment, follow, read
from lambdawait.aws.cd_handoff import HandOff
from lambdawait.core.errors import InterruptedError_, UsageError, client_error_code
from lambdawait.core.signals import Interrupted, deferred, interrupts

if TYPE_CHECKING:
    from mypy_boto3_codedeploy import CodeDeployClient

    from lambdawait.app.commands import Session
    from lambdawait.aws.gates import GateSpec
    from lambdawait.aws.shift import ShiftRequest
    from lambdawait.core.doc_types import DocumentFields, ResultDocument, ShiftDoc
    from lambdawait.core.errors import ErrorDetails
    from lambdawait.core.models import AliasInfo

FOLLOW_LIMIT = 7 * 24 * 3600.0  # CodeDeploy ends every deployment long before this
OUTCOMES = {"ok": "shifted", "gate-failed": "gate-failed", "failed": "failed", "timeout": "timeout"}


def run_codedeploy_shift(
    session: Session, request: ShiftRequest, *, gates_spec: GateSpec, handoff: HandOff
) -> ResultDocument:
    handoff.check()
    cd_handoff.config_name(request.strategy)  # seconds or fractions: refused before any AWS call
    if gates_spec.check_command or gates_spec.smoke_payload is not None:
        raise UsageError(
            "--check-command and --smoke-invoke run on this machine; CodeDeploy cannot run them",
            hint="give CodeDeploy hook functions: --before-allow-traffic FN / --after-allow-traffic FN",
        )
    current = _preflight(session, request, gates_spec)
    if current.function_version == request.to_version and not current.weights:
        return _document(session, request, "unchanged", None, current, "nothing to shift")
    cd = codedeploy_client(session.clients)
    app, group, config = cd_handoff.ensure(cd, request.function, request.alias, request.strategy, handoff)
    content = cd_handoff.appspec(
        request.function, request.alias, current.function_version, request.to_version, handoff
    )
    # The run id makes the description ours alone: a lost CreateDeployment reply is found by it.
    run = uuid.uuid4().hex[:12]
    description = f"lambdawait run={run}: {request.alias} {current.function_version} -> {request.to_version}"
    deployment_id = cd_handoff.create_deployment(cd, app, group, config, content, description)
    state = read(cd, deployment_id)
    session.out.log(
        f"→ handed to CodeDeploy: deployment {deployment_id} ({config}, application {app}, group {group})"
    )
    if handoff.detach:
        started = f"deployment {deployment_id} started ({config}); {follow_instructions(state)}"
        return _document(session, request, "started", state, _alias(session, request), started)
    return _follow(session, request, handoff, cd, state)


def _preflight(session: Session, request: ShiftRequest, gates_spec: GateSpec) -> AliasInfo:
    """The client-side shift's guards: a split left by someone, roles, alarms, the version, capacity."""
    from lambdawait.app.commands import _shifter
    from lambdawait.aws.gates import GateSpec
    from lambdawait.aws.guard import raise_for_wait
    from lambdawait.aws.shift import VERSION_WAIT_TIMEOUT
    from lambdawait.aws.waiter import WaitRequest
    from lambdawait.core.acceptors import Target

    shifter = _shifter(session, GateSpec(alarms=gates_spec.alarms))
    current = shifter.precheck(request)
    if current is None or not current.function_version.isdigit():
        raise UsageError(
            f"CodeDeploy shifts an alias between two versions; {request.alias} "
            + ("does not exist" if current is None else f"serves {current.function_version}"),
            hint=f"point it at a version first: `lambdawait shift {request.function} --alias "
            f"{request.alias} --to-version N --strategy AllAtOnce`",
        )
    waited = session.waiter().wait(
        WaitRequest(request.function, request.to_version, Target.VERSION), VERSION_WAIT_TIMEOUT
    )
    raise_for_wait(waited, context=f"version {request.to_version} of {request.function}")
    if shifter.provisioned is not None and shifter.provisioned.status != "READY":
        from lambdawait.aws.provisioned import wait_ready

        ready, why = wait_ready(session.waiter(), request.function, request.alias, VERSION_WAIT_TIMEOUT)
        if not ready:
            raise UsageError(f"provisioned concurrency of {request.alias} is not ready: {why}")
    return current


def _follow(
    session: Session, request: ShiftRequest, handoff: HandOff, cd: CodeDeployClient, state: Deployment
) -> ResultDocument:
    lam = session.clients.lambda_()
    try:
        title = f"CodeDeploy {state.id}: shifting {request.alias} to version {request.to_version}"
        with interrupts(session.clock), session.out.group(title):  # a collapsible group on GitHub
            end = follow(cd, lam, state.id, clock=session.clock, timeout=FOLLOW_LIMIT,
                         on_progress=progress_sink(session.out))  # fmt: skip
    except Interrupted:
        if not handoff.rollback_on_interrupt:
            raise InterruptedError_(
                f"stopped waiting; deployment {state.id} goes on in CodeDeploy (the rollout is durable)",
                hint=follow_instructions(state),
            ) from None
        stopped = stop_with_rollback(session, cd, state.id)
        raise InterruptedError_(
            f"deployment {state.id} stopped with rollback: {stopped.summary()}",
            hint=f"`lambdawait status {request.function}` shows the alias",
        ) from None
    if end is None:  # pragma: no cover - FOLLOW_LIMIT outlasts every CodeDeploy deployment
        end = read(cd, state.id)
    alias = _alias(session, request)
    outcome = OUTCOMES[end.outcome()]
    return raise_for(_document(session, request, outcome, end, alias, end.summary()), alias)


def raise_for(doc: ResultDocument, alias: AliasInfo | None) -> ResultDocument:
    """A rollout CodeDeploy stopped or failed ends the command as a client-side gate does: an error
    (exit 5 or 1) whose document keeps the deployment's fields; any other document is returned.
    `alias` is the alias as `doc` shows it."""
    from lambdawait.core.errors import AliasSplitError, RolledBackError, TargetFailedError

    errors = {"gate-failed": RolledBackError, "failed": TargetFailedError, "alias-split": AliasSplitError}
    error = errors.get(doc["outcome"])
    if error is None:
        return doc
    function = doc.get("function") or (alias.name if alias else "")
    deployment = doc.get("deployment")
    raise error(
        doc.get("message", ""),
        hint=f"`lambdawait status {function}` shows the alias" if doc.get("function") else None,
        reason_code=deployment.get("errorCode") if deployment else None,
        details=_details(doc, alias),
    )


def _details(doc: ResultDocument, alias: AliasInfo | None) -> ErrorDetails:
    """What the error keeps of the document, in the document's order (its own fields aside)."""
    details: ErrorDetails = {}
    for key in doc:
        match key:
            case "alias":
                details["alias"] = alias
            case "fromVersion":
                details["fromVersion"] = doc["fromVersion"]
            case "toVersion":
                details["toVersion"] = doc["toVersion"]
            case "deploymentId":
                details["deploymentId"] = doc["deploymentId"]
            case "deployment":
                details["deployment"] = doc["deployment"]
            case "function":
                details["function"] = doc["function"]
            case "engine":
                details["engine"] = doc["engine"]
            case "strategy":
                details["strategy"] = doc["strategy"]
    return details


def stop_with_rollback(session: Session, cd: CodeDeployClient, deployment_id: str) -> Deployment:
    """StopDeployment with rollback, then follow until CodeDeploy reports the end (signals held)."""
    import botocore.exceptions

    with deferred():
        session.out.log(f"→ stopping deployment {deployment_id} with rollback")
        try:
            cd.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
        except botocore.exceptions.ClientError as exc:
            if client_error_code(exc) != "DeploymentAlreadyCompletedException":
                raise
        clock = type(session.clock)()  # the session's clock is cancelled by the signal
        end = follow(cd, session.clients.lambda_(), deployment_id, clock=clock, timeout=300.0,
                     on_progress=progress_sink(session.out))  # fmt: skip
    return end if end is not None else read(cd, deployment_id)


def _alias(session: Session, request: ShiftRequest) -> AliasInfo | None:
    from lambdawait.aws.aliases import get_alias

    return get_alias(session.clients.lambda_(), request.function, request.alias)


def _document(
    session: Session,
    request: ShiftRequest,
    outcome: str,
    state: Deployment | None,
    alias: AliasInfo | None,
    message: str,
) -> ResultDocument:
    from lambdawait.output.documents import alias_doc, document

    fields: DocumentFields = {"fromVersion": alias.function_version if alias else None}
    if state is not None:
        fields.update(deployment_fields(state))
    fields["engine"] = "codedeploy"
    fields["alias"] = alias_doc(alias)
    fields["toVersion"] = request.to_version
    fields["strategy"] = request.strategy.name
    fields["message"] = message
    return document("shift", outcome, session.elapsed(), **fields)


def deploy_shift(
    session: Session, request: ShiftRequest, *, gates_spec: GateSpec, handoff: HandOff
) -> DocumentFields:
    """`deploy --engine codedeploy`: the shift step's fields (a failed or stopped rollout has raised,
    as a client-side shift's gate does, so deploy reports it the same way)."""
    # Raises when the rollout did not land.
    doc = run_codedeploy_shift(session, request, gates_spec=gates_spec, handoff=handoff)
    outcome, deployment_id, alias = doc["outcome"], doc.get("deploymentId"), doc.get("alias")
    shift: ShiftDoc = {
        "outcome": outcome,
        "alias": None if isinstance(alias, str) else alias,  # a shift document shows the alias object
        "fromVersion": doc.get("fromVersion"),
        "toVersion": request.to_version,
        "strategy": request.strategy.name,
        "weightsApplied": [],
        "engine": "codedeploy",
        "deploymentId": deployment_id,
    }
    return {"shift": shift, "deploymentId": deployment_id} if deployment_id else {"shift": shift}


def plan_message(request: ShiftRequest, handoff: HandOff) -> str:
    """`shift --plan --engine codedeploy`: where the shift would run (refusing what CodeDeploy can't)."""
    handoff.check()
    config, routing = cd_handoff.config_name(request.strategy)
    app, group = cd_handoff.names(request.function, request.alias, handoff)
    custom = " (a custom configuration, created if missing)" if routing else ""
    return f"CodeDeploy would hold this shift: {config}{custom}, application {app}, group {group}"
