"""A CodeDeploy deployment in flight on an alias: found for `status`, stopped by `rollback`.

Finding one must never break a user of the client-side engine: without CodeDeploy permissions
(or with an endpoint that has no CodeDeploy) the answer is simply "none seen".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdawait.app.cd_commands import codedeploy_client
from lambdawait.aws.cd_follow import Deployment, read

if TYPE_CHECKING:
    from mypy_boto3_codedeploy import CodeDeployClient
    from mypy_boto3_codedeploy.literals import DeploymentStatusType
    from mypy_boto3_codedeploy.type_defs import ListDeploymentsInputTypeDef

    from lambdawait.app.commands import Session
    from lambdawait.aws.clients import Clients
    from lambdawait.core.doc_types import InFlightDoc, ResultDocument

ACTIVE: list[DeploymentStatusType] = ["Created", "Queued", "InProgress", "Baking", "Ready"]
MAX_CHECKED = 50  # deployments in flight account-wide are few; bound the reads regardless


def in_flight(clients: Clients, function: str) -> dict[str, Deployment]:
    """The deployments moving FUNCTION's aliases now, by alias, whoever started them (lambdawait,
    SAM, the console): one ListDeployments and one read per deployment in flight in the account."""
    import botocore.exceptions

    found: dict[str, Deployment] = {}
    try:
        cd = codedeploy_client(clients)
        for deployment_id in _active_ids(cd)[:MAX_CHECKED]:
            state = read(cd, deployment_id)
            if state.function == function and state.alias is not None and not state.done:
                found[state.alias] = state
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
        return {}  # no CodeDeploy permissions or endpoint: nothing we can see is in flight
    return found


def find_in_flight(clients: Clients, function: str, alias: str) -> Deployment | None:
    return in_flight(clients, function).get(alias)


def _active_ids(cd: CodeDeployClient) -> list[str]:
    ids: list[str] = []
    kwargs: ListDeploymentsInputTypeDef = {"includeOnlyStatuses": ACTIVE}
    while len(ids) < MAX_CHECKED:
        page = cd.list_deployments(**kwargs)
        ids += page.get("deployments") or []
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    return ids


def stop_in_flight(session: Session, function: str, alias: str) -> ResultDocument | None:
    """`rollback` on an alias CodeDeploy is moving: stop it with rollback, wait until the alias is
    whole; the result document, or None when no deployment is in flight."""
    from lambdawait.app.cd_commands import deployment_fields
    from lambdawait.app.cd_shift import stop_with_rollback
    from lambdawait.aws.aliases import get_alias
    from lambdawait.output.documents import alias_doc, document

    state = find_in_flight(session.clients, function, alias)
    if state is None:
        return None
    end = stop_with_rollback(session, codedeploy_client(session.clients), state.id)
    after = get_alias(session.clients.lambda_(), function, alias)
    whole = after is not None and not after.weights
    fields = deployment_fields(end)
    fields["alias"] = alias_doc(after)
    fields["message"] = f"{alias}: stopped CodeDeploy deployment {state.id} with rollback; {end.summary()}"
    from lambdawait.app.cd_shift import raise_for

    fields["function"] = function
    outcome = "rolled-back" if whole else "alias-split"
    return raise_for(document("rollback", outcome, session.elapsed(), **fields), after)


def status_lines(clients: Clients, function: str, aliases: list[str]) -> list[InFlightDoc]:
    """For `status`: each alias's deployment in flight, as the document shows it."""
    moving = in_flight(clients, function)
    return [
        {
            "alias": alias,
            "deploymentId": state.id,
            "status": state.status,
            "config": state.config,
            "fromVersion": state.current_version,
            "toVersion": state.target_version,
            "events": [{"name": n, "status": s} for n, s in state.events],
        }
        for alias, state in moving.items()
        if alias in aliases
    ]
