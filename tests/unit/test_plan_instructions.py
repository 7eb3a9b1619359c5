"""One plan, read by both the run and --dry-run: the instructions decide what runs and what is shown."""

from __future__ import annotations

from dataclasses import replace

from lambdawait.app.deploy import Release, release_instructions
from lambdawait.aws.deploy import Deployer, plan_deploy
from lambdawait.core.instructions import (
    CreateFunction,
    Publish,
    ShiftAlias,
    TagFunction,
    UpdateCode,
    UpdateConfiguration,
)
from lambdawait.core.ledger import Ledger
from lambdawait.core.plan import DeployPlan
from lambdawait.core.spec import FunctionSpec
from lambdawait.output.plan_document import plan_document
from tests.unit.lambda_fake import ARN, FakeLambda, active, waiter


def _deployer(client: FakeLambda) -> Deployer:
    return Deployer(client, waiter(client), timeout=60)


def _plan(client: FakeLambda, spec: FunctionSpec) -> DeployPlan:
    return plan_deploy(spec, None, _deployer(client).read(spec.name))


def test_a_plan_is_its_instructions_in_the_order_they_run() -> None:
    client = FakeLambda(active(), busy_polls=0)
    spec = FunctionSpec("fn", memory=256, architecture="arm64", tags={"team": "a"})
    plan = _plan(client, spec)
    assert [type(i) for i in plan.instructions] == [UpdateCode, UpdateConfiguration, TagFunction]
    assert plan.step_names() == ["code", "configuration", "tags"]
    assert plan.describe() == [line for i in plan.deploy for line in i.describe()]
    tag = plan.find(TagFunction)
    assert tag is not None and tag.arn == ARN and tag.keys == ("team",)


def test_a_missing_function_is_one_create_instruction() -> None:
    plan = plan_deploy(
        FunctionSpec("fn", role="arn:aws:iam::123456789012:role/r", tags={"b": "2"}), None, None
    )
    assert plan.instructions == (CreateFunction("fn", False, ("b",)),)
    assert plan.step_names() == ["create"] and plan.tags == ("b",)


def test_an_instruction_added_to_the_plan_is_shown_and_run_without_another_change() -> None:
    client = FakeLambda(active(), busy_polls=0)
    spec = FunctionSpec("fn", memory=256, tags={"team": "a"})
    planned = _plan(client, spec)
    # Only the configuration as planned; the tag instruction is added by hand.
    without_tag = replace(
        planned, instructions=tuple(i for i in planned.instructions if not isinstance(i, TagFunction))
    )
    with_tag = replace(
        without_tag, instructions=(*without_tag.instructions, TagFunction("fn", ARN, ("team",)))
    )

    shown = plan_document(without_tag, None)
    assert shown["tags"] == [] and not any(s.startswith("tag:") for s in shown["steps"])
    shown = plan_document(with_tag, None)
    assert shown["tags"] == ["team"] and shown["steps"][-1] == "tag: team"

    ledger = Ledger("fn", list(with_tag.step_names()))
    result = _deployer(client).apply(spec, None, with_tag, ledger=ledger)
    assert result.outcome == "updated"
    assert client.mutating() == ["update_function_configuration", "tag_resource"]
    assert client.tags == {"team": "a"}
    assert ledger.applied == ["configuration", "tags"]


def test_an_instruction_left_out_of_the_plan_is_neither_shown_nor_run() -> None:
    client = FakeLambda(active(), busy_polls=0)
    spec = FunctionSpec("fn", memory=256, timeout=30)
    planned = _plan(client, spec)
    assert planned.config_fields == ("memory", "timeout")
    empty = replace(planned, instructions=())

    assert plan_document(empty, None)["steps"] == ["fn is unchanged: nothing to do"]
    assert _deployer(client).apply(spec, None, empty).outcome == "unchanged"
    assert client.mutating() == []


def test_the_release_is_instructions_too_shown_as_publish_alias_and_strategy() -> None:
    release = Release(publish=True, alias="live", strategy="Canary10Percent5Minutes")
    assert release_instructions("fn", release) == (
        Publish("fn"),
        ShiftAlias("fn", "live", "Canary10Percent5Minutes"),
    )
    assert release_instructions("fn", Release(publish=False)) == ()
    plan = plan_deploy(FunctionSpec("fn", memory=256), None, {"Configuration": active()}).then(
        *release_instructions("fn", release)
    )
    assert plan.step_names() == ["configuration", "publish", "alias"]
    shown = plan_document(plan, None)
    assert (shown["publish"], shown["alias"], shown["strategy"]) == (True, "live", "Canary10Percent5Minutes")
    # The release is not a step of the function: the text shows it as one release line.
    assert all("publish" not in step for step in shown["steps"])
    bare = plan_document(plan.then(), None)
    assert (bare["publish"], bare["alias"], bare["strategy"]) == (False, None, None)


def test_a_plan_made_afresh_after_someone_elses_update_keeps_its_release() -> None:
    config = active(LastUpdateStatus="InProgress")
    client = FakeLambda(config, busy_polls=1)
    client.remaining = 1
    spec = FunctionSpec("fn", memory=256)
    plan = _plan(client, spec).then(Publish("fn"))
    ledger = Ledger("fn", list(plan.step_names()))
    # Someone else's update lands the memory we wanted: the fresh plan has nothing to change.
    client.config = {**config, "MemorySize": 256}
    result = _deployer(client).apply(spec, None, plan, ledger=ledger)
    assert result.outcome == "unchanged"
    assert result.plan.release == (Publish("fn"),)
    assert ledger.planned == ["publish"]
    assert client.mutating() == []
