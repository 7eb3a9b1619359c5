"""Use cases on CodeDeploy deployments: wait on one, and the result document of a followed one."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from lambdawait.aws.cd_follow import Deployment, Progress, follow, read
from lambdawait.core.clock import SystemClock
from lambdawait.core.errors import InterruptedError_, UsageError
from lambdawait.core.signals import Interrupted, interrupts

if TYPE_CHECKING:
    from mypy_boto3_codedeploy import CodeDeployClient

    from lambdawait.aws.clients import Clients
    from lambdawait.core.doc_types import DeploymentDoc, DocumentFields, ResultDocument
    from lambdawait.output.render import Output


def codedeploy_client(clients: Clients) -> CodeDeployClient:
    """CodeDeploy from the same botocore session, endpoint and retry config as Lambda."""
    return clients.codedeploy()


def follow_instructions(state: Deployment) -> str:
    stop = (
        f"`lambdawait rollback {state.function} --alias {state.alias}`"
        if state.function and state.alias
        else f"`aws deploy stop-deployment --deployment-id {state.id} --auto-rollback-enabled`"
    )
    return f"follow it with `lambdawait wait --deployment {state.id}`; stop it with {stop}"


def progress_sink(out: Output) -> Callable[[Progress], None]:
    def sink(progress: Progress) -> None:
        out.log(f"⇄ {progress.line()}")

    return sink


def deployment_fields(state: Deployment) -> DocumentFields:
    """The document's `deployment` object and the fields every lambdawait result carries."""
    from lambdawait.core.doc_types import as_deployment_status

    deployment: DeploymentDoc = {
        "id": state.id,
        "status": as_deployment_status(state.status),
        "application": state.application,
        "deploymentGroup": state.group,
        "config": state.config,
        "errorCode": state.error_code,
        "errorMessage": state.error_message,
        "rollbackDeploymentId": state.rollback_id,
        "lifecycleEvents": [{"name": name, "status": status} for name, status in state.events],
    }
    if state.failed_event is not None:
        deployment["failedEvent"] = {
            "name": state.failed_event.name,
            "hook": state.failed_event.hook,
            "reason": state.failed_event.reason,
        }
    return {
        "deploymentId": state.id,
        "deployment": deployment,
        "function": state.function,
        "fromVersion": state.current_version,
        "toVersion": state.target_version,
    }


def follow_to_end(
    clients: Clients, out: Output, deployment_id: str, timeout: float, clock: SystemClock
) -> tuple[str, Deployment, str]:
    """(outcome, last state, message); a signal leaves the deployment running and says so."""
    cd = codedeploy_client(clients)
    lam = clients.lambda_()
    try:
        with interrupts(clock):
            state = follow(
                cd, lam, deployment_id, clock=clock, timeout=timeout, on_progress=progress_sink(out)
            )
    except Interrupted:
        last = read(cd, deployment_id)
        raise InterruptedError_(
            f"stopped waiting; deployment {deployment_id} goes on in CodeDeploy ({last.status})",
            hint=follow_instructions(last),
        ) from None
    if state is None:
        last = read(cd, deployment_id)
        return "timeout", last, f"still {last.status} after {timeout:g}s; {follow_instructions(last)}"
    return state.outcome(), state, state.summary()


def run_deployment_wait(
    clients: Clients, out: Output, *, deployment_id: str, timeout: float, start: float
) -> ResultDocument:
    """`lambdawait wait --deployment ID`: exit 0 succeeded, 5 stopped/alarm, 1 failed, 3 timeout."""
    from lambdawait.aws.aliases import get_alias
    from lambdawait.output.documents import alias_doc, document

    if not deployment_id.strip():
        raise UsageError("empty --deployment id", hint="pass the id CodeDeploy gave, e.g. d-ABCDEFGHI")
    outcome, state, message = follow_to_end(clients, out, deployment_id, timeout, SystemClock())
    fields = deployment_fields(state)
    fields["alias"] = None
    if state.function and state.alias:
        fields["alias"] = alias_doc(get_alias(clients.lambda_(), state.function, state.alias))
    fields["message"] = message
    return document("wait", outcome, time.monotonic() - start, **fields)
