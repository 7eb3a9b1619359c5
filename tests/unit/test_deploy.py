"""plan_deploy (pure) field by field, and the Deployer against a stateful fake with a fake clock."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lambdawait.aws.deploy import Deployer, DeployPlan, check_plan, config_request, plan_deploy
from lambdawait.core.errors import AwsError, ConflictError, ExitCode, TargetFailedError, UsageError
from lambdawait.core.package import LocalPackage, code_sha256, inspect_zip
from lambdawait.core.plan import EnvChange
from lambdawait.core.spec import CodeSource, FunctionSpec
from lambdawait.output.plan_document import plan_document
from tests.fakes import FakeClock
from tests.unit.lambda_fake import ARN, FakeLambda, active, error, waiter

SECRET = "hunter2-planted-secret"


def package(text: str = "def handler(e, c):\n    return 1\n") -> LocalPackage:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("app.py", date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        zf.writestr(info, text)
    data = buf.getvalue()
    return LocalPackage(data, "app.zip", inspect_zip(data))


ZIP = CodeSource(kind="zip", path=Path("app.zip"))


def response(config: dict[str, Any], tags: dict[str, str] | None = None, **code: Any) -> dict[str, Any]:
    return {"Configuration": config, "Tags": tags or {}, "Code": code}


# --- plan_deploy: pure ------------------------------------------------------------------------


def test_missing_function_plans_a_create_with_every_tag() -> None:
    pkg = package()
    plan = plan_deploy(FunctionSpec("fn", code=ZIP, tags={"b": "2", "a": "1"}), pkg, None)
    assert plan.create and plan.code_update and plan.changes
    assert plan.tags == ("a", "b")
    assert plan.local_sha256 == code_sha256(pkg.data)
    assert plan.describe() == ["create fn"]


def test_same_code_and_no_options_is_unchanged() -> None:
    pkg = package()
    plan = plan_deploy(FunctionSpec("fn", code=ZIP), pkg, response(active(code_sha256(pkg.data))))
    assert not plan.changes
    assert plan.describe() == ["fn is unchanged: nothing to do"]


def test_different_code_sha_is_a_code_update_only() -> None:
    plan = plan_deploy(FunctionSpec("fn", code=ZIP), package(), response(active("other")))
    assert plan.code_update and plan.config_fields == () and plan.tags == ()
    assert "update code of fn" in plan.describe()[0]


@pytest.mark.parametrize(
    ("spec_field", "value", "config_key", "current", "label"),
    [
        ("runtime", "python3.13", "Runtime", "python3.12", "runtime"),
        ("handler", "main.run", "Handler", "app.handler", "handler"),
        ("role", "arn:aws:iam::123456789012:role/other", "Role", "arn:aws:iam::123456789012:role/r", "role"),
        ("memory", 256, "MemorySize", 128, "memory"),
        ("timeout", 30, "Timeout", 3, "timeout"),
        ("ephemeral_storage", 1024, "EphemeralStorage", {"Size": 512}, "ephemeral_storage"),
        ("env", {"A": "1"}, "Environment", {"Variables": {"A": "2"}}, "env"),
        ("layers", ("arn:aws:lambda:us-east-1:123456789012:layer:l:2",), "Layers",
         [{"Arn": "arn:aws:lambda:us-east-1:123456789012:layer:l:1"}], "layers"),
        ("description", "new", "Description", "old", "description"),
        ("subnets", ("subnet-0123456789abcdef0",), "VpcConfig", {"SubnetIds": ["subnet-11111111"]}, "vpc"),
        ("security_groups", ("sg-0123456789abcdef0",), "VpcConfig", {"SecurityGroupIds": ["sg-11111111"]},
         "vpc"),
    ],
)  # fmt: skip
def test_each_config_field_is_detected_and_only_it(
    spec_field: str, value: Any, config_key: str, current: Any, label: str
) -> None:
    config = active(**{config_key: current})
    changed = plan_deploy(FunctionSpec("fn", **{spec_field: value}), None, response(config))
    assert changed.config_fields == (label,)
    assert not changed.code_update and not changed.create
    # The same value already live: nothing to do.
    same = {**config}
    same_value = value
    if spec_field == "ephemeral_storage":
        same[config_key] = {"Size": value}
    elif spec_field == "env":
        same[config_key] = {"Variables": dict(value)}
    elif spec_field == "layers":
        same[config_key] = [{"Arn": arn} for arn in value]
    elif spec_field == "subnets":
        same[config_key] = {"SubnetIds": list(value)}
    elif spec_field == "security_groups":
        same[config_key] = {"SecurityGroupIds": list(value)}
    else:
        same[config_key] = same_value
    assert plan_deploy(FunctionSpec("fn", **{spec_field: value}), None, response(same)).config_fields == ()


def test_fields_not_given_are_kept_whatever_their_current_value() -> None:
    config = active(MemorySize=4096, Timeout=900, Environment={"Variables": {"X": "y"}}, Description="d")
    assert not plan_deploy(FunctionSpec("fn"), None, response(config)).changes


def test_env_comparison_is_whole_map_and_empty_map_clears() -> None:
    config = active(Environment={"Variables": {"A": "1", "B": "2"}})
    assert plan_deploy(FunctionSpec("fn", env={"A": "1"}), None, response(config)).config_fields == ("env",)
    assert plan_deploy(FunctionSpec("fn", env={}), None, response(config)).config_fields == ("env",)
    assert plan_deploy(FunctionSpec("fn", env={}), None, response(active())).config_fields == ()


def test_env_plan_names_added_removed_and_changed_never_values() -> None:
    config = active(Environment={"Variables": {"DB_PASSWORD": SECRET, "OTHER": "x", "MODE": "a"}})
    spec = FunctionSpec("fn", env={"NEW": "1", "MODE": "b", "OTHER": "x"}, memory=256)
    plan = plan_deploy(spec, None, response(config))
    assert plan.env == EnvChange(added=("NEW",), removed=("DB_PASSWORD",), changed=("MODE",))
    assert plan.describe() == [
        "update configuration of fn:",
        "  memory: 128 MB → 256 MB",
        "  environment: added NEW; removed DB_PASSWORD; changed MODE (values not shown)",
    ]
    assert plan_document(plan, None)["env"] == {
        "added": ["NEW"],
        "removed": ["DB_PASSWORD"],
        "changed": ["MODE"],
    }
    assert SECRET not in repr(plan)
    created = plan_deploy(FunctionSpec("fn", env={"B": "1", "A": "2"}), None, None)
    assert created.env is not None and created.env.added == ("A", "B")
    assert created.describe() == ["create fn with environment variables A, B"]
    assert plan_deploy(FunctionSpec("fn", memory=256), None, response(config)).env is None


def test_plan_diff_shows_each_field_old_to_new_and_env_names_only() -> None:
    layer = "arn:aws:lambda:us-east-1:123456789012:layer:deps:1"
    config = active(
        "a" * 44,
        Environment={"Variables": {"DB_PASSWORD": SECRET, "MODE": "a"}},
        Layers=[{"Arn": layer}],
    )
    spec = FunctionSpec(
        "fn", code=ZIP, timeout=600, memory=1024, env={"MODE": SECRET, "NEW": "1"}, layers=(layer + "0",)
    )
    pkg = package()
    plan = plan_deploy(spec, pkg, response(config))
    assert plan.describe() == [
        "update code of fn:",
        f"  code: {'a' * 12}… → {code_sha256(pkg.data)[:12]}…",
        "update configuration of fn:",
        "  memory: 128 MB → 1024 MB",
        "  timeout (function): 3 s → 600 s",
        "  environment: added NEW; removed DB_PASSWORD; changed MODE (values not shown)",
        f"  layers: added {layer}0; removed {layer}",
    ]
    documents = plan_document(plan, None)["changes"]
    assert documents[0] == {"field": "code", "old": "a" * 44, "new": code_sha256(pkg.data)}
    assert {"field": "timeout (function)", "old": 3, "new": 600} in documents
    assert {"field": "layers", "old": [layer], "new": [layer + "0"]} in documents
    env = next(d for d in documents if d["field"] == "environment")
    env_names = {"removed": ["DB_PASSWORD"], "changed": ["MODE"]}
    assert env == {"field": "environment", "old": None, "new": None, "added": ["NEW"], **env_names}
    assert SECRET not in repr(documents) and SECRET not in repr(plan.describe())


def test_plan_diff_names_vpc_halves_and_snapstart() -> None:
    config = active(VpcConfig={"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]})
    spec = FunctionSpec("fn", subnets=("subnet-1", "subnet-2"), snapstart=True)
    lines = plan_deploy(spec, None, response(config)).describe()
    assert lines == ["update configuration of fn:", "  SnapStart: off → on", "  subnets: added subnet-2"]


def test_removing_variables_is_refused_without_prune_env_naming_them() -> None:
    config = active(Environment={"Variables": {"DB_PASSWORD": SECRET, "OTHER": "x"}})
    spec = FunctionSpec("fn", env={"NEW": "1"})
    plan = plan_deploy(spec, None, response(config))
    with pytest.raises(UsageError) as info:
        check_plan(spec, plan)
    err = info.value
    assert err.message == "deploying would remove 2 environment variables of fn: DB_PASSWORD, OTHER"
    assert "--prune-env" in (err.hint or "") and "--env NAME=" in (err.hint or "")
    assert err.details == {"envRemoved": ["DB_PASSWORD", "OTHER"]}
    assert SECRET not in err.one_line()
    check_plan(FunctionSpec("fn", env={"NEW": "1"}, prune_env=True), plan)  # asked for: allowed
    keep = FunctionSpec("fn", env={"NEW": "1", "DB_PASSWORD": SECRET, "OTHER": "y"})
    check_plan(keep, plan_deploy(keep, None, response(config)))  # adding and changing: allowed


def test_unreadable_current_env_is_refused_without_prune_env() -> None:
    error_only = {"Error": {"ErrorCode": "KMSAccessDeniedException", "Message": "denied"}}
    spec = FunctionSpec("fn", env={"NEW": "1"})
    plan = plan_deploy(spec, None, response(active(Environment=error_only)))
    with pytest.raises(UsageError, match="cannot read the current environment variables of fn"):
        check_plan(spec, plan)
    check_plan(FunctionSpec("fn", env={"NEW": "1"}, prune_env=True), plan)


def test_deployer_refuses_env_removal_before_any_call() -> None:
    client = FakeLambda(active("old", Environment={"Variables": {"DB_PASSWORD": SECRET}}))
    with pytest.raises(UsageError, match="DB_PASSWORD"):
        deploy(client, FunctionSpec("fn", code=ZIP, env={"NEW": "1"}), package())
    assert client.mutating() == []
    result = deploy(client, FunctionSpec("fn", code=ZIP, env={"NEW": "1"}, prune_env=True), package())
    assert result.outcome == "updated"
    assert client.mutating() == ["update_function_code", "update_function_configuration"]
    assert client.config is not None and client.config["Environment"] == {"Variables": {"NEW": "1"}}


def test_only_new_or_changed_tags_are_planned() -> None:
    spec = FunctionSpec("fn", tags={"team": "a", "env": "prod"})
    plan = plan_deploy(spec, None, response(active(), {"team": "a", "x": "1"}))
    assert plan.tags == ("env",)
    assert plan.describe() == ["tag: env"]


def test_s3_code_always_uploads() -> None:
    spec = FunctionSpec("fn", code=CodeSource(kind="s3", s3_bucket="b", s3_key="k.zip"))
    plan = plan_deploy(spec, None, response(active()))
    assert plan.code_update and plan.local_sha256 is None
    assert plan.describe()[1] == "  code: old-sha → uploaded (S3)"


def test_image_digest_is_compared_but_a_tag_always_updates() -> None:
    repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app"
    digest = f"{repo}@sha256:{'a' * 64}"
    image = response(active(PackageType="Image"), ImageUri=f"{repo}:v1", ResolvedImageUri=digest)
    same = FunctionSpec("fn", code=CodeSource(kind="image", image_uri=digest))
    assert not plan_deploy(same, None, image).code_update
    other = FunctionSpec("fn", code=CodeSource(kind="image", image_uri=f"{repo}@sha256:{'b' * 64}"))
    assert plan_deploy(other, None, image).code_update
    # The tag may point at a new push: only Lambda can resolve it, so update.
    tagged = FunctionSpec("fn", code=CodeSource(kind="image", image_uri=f"{repo}:v1"))
    assert plan_deploy(tagged, None, image).code_update


def test_architecture_change_is_a_code_update_even_with_same_code() -> None:
    pkg = package()
    config = active(code_sha256(pkg.data))
    plan = plan_deploy(FunctionSpec("fn", code=ZIP, architecture="arm64"), pkg, response(config))
    assert plan.code_update
    assert not plan_deploy(FunctionSpec("fn", code=ZIP, architecture="x86_64"), pkg, response(config)).changes


def test_code_and_config_both_planned_in_order() -> None:
    plan = plan_deploy(FunctionSpec("fn", code=ZIP, memory=512), package(), response(active("other")))
    assert plan.code_update and plan.config_fields == ("memory",)
    assert [s for s in plan.describe() if not s.startswith("  ")] == [
        "update code of fn:",
        "update configuration of fn:",
    ]


def test_config_request_keeps_the_other_vpc_half() -> None:
    spec = FunctionSpec("fn", subnets=("subnet-0123456789abcdef0",))
    current = {"VpcConfig": {"SubnetIds": ["subnet-11111111"], "SecurityGroupIds": ["sg-11111111"]}}
    params = config_request(spec, ("subnets", "security_groups"), current)
    assert params == {
        "VpcConfig": {"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": ["sg-11111111"]}
    }


def test_plan_repr_and_describe_never_show_env_values() -> None:
    spec = FunctionSpec("fn", env={"TOKEN": SECRET})
    plan = plan_deploy(spec, None, response(active()))
    assert SECRET not in repr(plan) + repr(spec) + " ".join(plan.describe())


# --- Deployer --------------------------------------------------------------------------------


def deployer(client: FakeLambda, clock: FakeClock | None = None) -> Deployer:
    return Deployer(client, waiter(client, clock), timeout=60)


def deploy(client: FakeLambda, spec: FunctionSpec, pkg: LocalPackage | None = None) -> Any:
    d = deployer(client)
    plan = plan_deploy(spec, pkg, d.read(spec.name))
    return d.apply(spec, pkg, plan)


def full_spec(**extra: Any) -> FunctionSpec:
    return FunctionSpec(
        "fn", code=ZIP, runtime="python3.12", handler="app.handler", role="arn:aws:iam::123456789012:role/r",
        **extra,
    )  # fmt: skip


def test_create_sends_everything_then_waits_for_active() -> None:
    client = FakeLambda(busy_polls=2)
    result = deploy(client, full_spec(memory=256, env={"A": "b"}, tags={"t": "1"}), package())
    assert result.outcome == "created"
    assert result.status.state == "Active"
    ((_op, params),) = [c for c in client.calls if c[0] == "create_function"]
    assert params["MemorySize"] == 256 and params["Environment"] == {"Variables": {"A": "b"}}
    assert params["Tags"] == {"t": "1"} and params["Publish"] is False and "ZipFile" in params["Code"]


def test_failed_create_exits_1_with_reason_and_recreate_hint() -> None:
    client = FakeLambda(busy_polls=0)
    d = deployer(client)
    spec = full_spec()
    plan = plan_deploy(spec, package(), None)
    client.raise_on = {}
    original_get = client.get_function

    def failing_get(**kwargs: Any) -> dict[str, Any]:
        out = original_get(**kwargs)
        if client.config is not None:
            client.config.update(State="Failed", StateReasonCode="InvalidZipFileException",
                                 StateReason="bad zip")  # fmt: skip
            out["Configuration"].update(client.config)
        return out

    client.get_function = failing_get  # type: ignore[method-assign]
    with pytest.raises(TargetFailedError) as info:
        d.apply(spec, package(), plan)
    assert info.value.exit_code is ExitCode.FAILED
    assert info.value.reason_code == "InvalidZipFileException"
    assert "delete-function --function-name fn" in (info.value.hint or "")


def test_code_only_update_is_guarded_by_revision_and_waited_on() -> None:
    client = FakeLambda(active("old"), busy_polls=2)
    pkg = package()
    result = deploy(client, FunctionSpec("fn", code=ZIP), pkg)
    assert result.outcome == "updated"
    assert client.mutating() == ["update_function_code"]
    call = next(kw for op, kw in client.calls if op == "update_function_code")
    assert call["RevisionId"] == "rev-0"
    assert result.status.code_sha256 == code_sha256(pkg.data)
    assert result.status.last_update_status == "Successful"


def test_config_only_update() -> None:
    client = FakeLambda(active())
    deploy(client, FunctionSpec("fn", memory=512, timeout=10))
    assert client.mutating() == ["update_function_configuration"]
    call = next(kw for op, kw in client.calls if op == "update_function_configuration")
    assert call["MemorySize"] == 512 and call["Timeout"] == 10 and call["RevisionId"] == "rev-0"


def test_code_and_config_never_surface_409_and_use_the_new_revision() -> None:
    client = FakeLambda(active("old"), busy_polls=3)
    deploy(client, FunctionSpec("fn", code=ZIP, memory=512), package())
    assert client.mutating() == ["update_function_code", "update_function_configuration"]
    code_rev = next(kw for op, kw in client.calls if op == "update_function_code")["RevisionId"]
    cfg_rev = next(kw for op, kw in client.calls if op == "update_function_configuration")["RevisionId"]
    assert code_rev == "rev-0" and cfg_rev not in (None, code_rev)
    assert client.config is not None and client.config["MemorySize"] == 512


def test_a_409_in_progress_is_waited_out_and_retried() -> None:
    client = FakeLambda(active())
    client.raise_on["update_function_configuration"] = [
        error("ResourceConflictException", "An update is in progress for resource: " + ARN, 409)
    ]
    result = deploy(client, FunctionSpec("fn", memory=512))
    assert result.outcome == "updated"
    assert [op for op, _ in client.calls].count("update_function_configuration") == 2


def test_unchanged_costs_one_read_and_no_mutation() -> None:
    pkg = package()
    client = FakeLambda(active(code_sha256(pkg.data), MemorySize=256))
    result = deploy(client, FunctionSpec("fn", code=ZIP, memory=256), pkg)
    assert result.outcome == "unchanged"
    assert [op for op, _ in client.calls] == ["get_function"]


def test_stale_revision_is_a_conflict_and_nothing_is_written() -> None:
    client = FakeLambda(active("old"))
    d = deployer(client)
    spec = FunctionSpec("fn", code=ZIP)
    plan = plan_deploy(spec, package(), d.read("fn"))
    # Someone else changes the function between our read and our call.
    client.update_function_configuration(FunctionName="fn", MemorySize=999)
    client.get_function(FunctionName="fn")  # their update lands
    with pytest.raises(ConflictError) as info:
        d.apply(spec, package(), plan)
    assert info.value.exit_code is ExitCode.AWS
    assert client.config is not None and client.config["CodeSha256"] == "old"
    assert client.config["MemorySize"] == 999


def test_failed_update_says_previous_code_is_still_live() -> None:
    client = FakeLambda(active("old"))
    client.fail_next = True
    with pytest.raises(TargetFailedError) as info:
        deploy(client, FunctionSpec("fn", code=ZIP), package())
    assert info.value.exit_code is ExitCode.FAILED
    assert info.value.reason_code == "EniLimitExceeded"
    assert "previous code and configuration, which are still live" in info.value.message
    assert info.value.details["statuses"][0].status.code_sha256 == "old"
    assert client.config is not None and client.config["CodeSha256"] == "old"


def test_config_failing_after_the_code_landed_says_the_new_code_is_live() -> None:
    pkg = package()
    client = FakeLambda(active("old"))
    real = client.update_function_configuration

    def fails(**kwargs: Any) -> dict[str, Any]:
        client.fail_next = True  # this update ends Failed; the code update before it stays
        return real(**kwargs)

    client.update_function_configuration = fails  # type: ignore[method-assign]
    with pytest.raises(TargetFailedError) as info:
        deploy(client, FunctionSpec("fn", code=ZIP, memory=512, tags={"t": "1"}), pkg)
    sha = code_sha256(pkg.data)
    assert info.value.message.endswith(
        f"; code {sha[:8]}… is live on $LATEST; configuration not applied (Lambda kept the previous "
        "configuration); tags not applied"
    )
    steps = info.value.details["steps"]
    assert steps.applied == ("code",) and steps.live_code_sha256 == sha
    assert info.value.details["statuses"][0].status.code_sha256 == sha == client.config["CodeSha256"]  # type: ignore[index]
    assert "previous code" not in info.value.message


def test_a_parameter_lambda_refuses_after_the_code_landed_is_exit_4_not_2() -> None:
    client = FakeLambda(active("old"))
    client.raise_on["update_function_configuration"] = [
        error("InvalidParameterValueException", "The role defined for the function cannot be assumed")
    ]
    with pytest.raises(AwsError) as info:
        deploy(client, FunctionSpec("fn", code=ZIP, role="arn:aws:iam::123456789012:role/new"), package())
    assert not isinstance(info.value, UsageError) and info.value.exit_code is ExitCode.AWS
    assert info.value.reason_code == "InvalidParameterValueException"
    assert "is live on $LATEST; configuration not applied" in info.value.message
    assert client.mutating() == ["update_function_code", "update_function_configuration"]


def test_a_first_call_refused_says_nothing_was_changed() -> None:
    client = FakeLambda(active("old"))
    client.raise_on["update_function_code"] = [error("AccessDeniedException", "not allowed", 403)]
    with pytest.raises(AwsError) as info:
        deploy(client, FunctionSpec("fn", code=ZIP, memory=256), package())
    assert info.value.message.endswith("; nothing was changed")
    assert info.value.details["steps"].not_applied == ("code", "configuration")


def test_failed_function_is_refused_without_any_call() -> None:
    client = FakeLambda(active(State="Failed", StateReasonCode="SubnetOutOfIPAddresses",
                               LastUpdateStatus="Failed"))  # fmt: skip
    with pytest.raises(TargetFailedError) as info:
        deploy(client, FunctionSpec("fn", code=ZIP), package())
    assert "delete" in (info.value.hint or "")
    assert client.mutating() == []


def test_failed_function_is_refused_even_when_nothing_differs() -> None:
    pkg = package()
    client = FakeLambda(active(code_sha256(pkg.data), State="Failed", LastUpdateStatus="Failed"))
    with pytest.raises(TargetFailedError):
        deploy(client, FunctionSpec("fn", code=ZIP), pkg)


def test_update_in_progress_is_waited_for_then_replanned() -> None:
    pkg = package()
    client = FakeLambda(active("old"), busy_polls=2)
    # Someone else's update of the same code is running when we read.
    client.update_function_code(FunctionName="fn", ZipFile=pkg.data)
    client.calls.clear()
    deploy(client, FunctionSpec("fn", code=ZIP, memory=512), pkg)
    # Their update already carried our code: only the configuration is left to do.
    assert client.mutating() == ["update_function_configuration"]


def test_someone_elses_failed_update_does_not_block_ours() -> None:
    client = FakeLambda(active("old"), busy_polls=1)
    client.fail_next = True
    client.update_function_configuration(FunctionName="fn", MemorySize=999)
    result = deploy(client, FunctionSpec("fn", memory=512))
    assert result.outcome == "updated"
    assert client.config is not None and client.config["MemorySize"] == 512


def test_tags_are_applied_after_the_update() -> None:
    client = FakeLambda(active())
    deploy(client, FunctionSpec("fn", memory=256, tags={"team": "a"}))
    assert client.mutating() == ["update_function_configuration", "tag_resource"]
    assert client.tags == {"team": "a"}
    assert next(kw for op, kw in client.calls if op == "tag_resource")["Resource"] == ARN


def test_lost_reply_then_conflict_is_reconciled_as_our_own_update() -> None:
    pkg = package()
    client = FakeLambda(active("old"))
    real = client.update_function_code

    def lands_then_412(**kwargs: Any) -> dict[str, Any]:
        real(**kwargs)  # the first attempt landed; its reply was lost and botocore retried
        raise error("PreconditionFailedException", "revision mismatch", 412, retries=1)

    client.update_function_code = lands_then_412  # type: ignore[method-assign]
    result = deploy(client, FunctionSpec("fn", code=ZIP), pkg)
    assert result.outcome == "updated"
    assert result.status.code_sha256 == code_sha256(pkg.data)


def test_partial_vpc_change_keeps_the_other_half() -> None:
    vpc = {"SubnetIds": ["subnet-11111111"], "SecurityGroupIds": ["sg-11111111"], "VpcId": "vpc-1"}
    client = FakeLambda(active(VpcConfig=vpc))
    deploy(client, FunctionSpec("fn", subnets=("subnet-22222222",)))
    call = next(kw for op, kw in client.calls if op == "update_function_configuration")
    assert call["VpcConfig"] == {"SubnetIds": ["subnet-22222222"], "SecurityGroupIds": ["sg-11111111"]}


def test_env_values_echoed_by_lambda_are_masked_in_errors() -> None:
    client = FakeLambda(active())
    client.raise_on["update_function_configuration"] = [
        error("InvalidParameterValueException", f"Value {SECRET} at 'environment' failed to satisfy")
    ]
    with pytest.raises(UsageError) as info:
        deploy(client, FunctionSpec("fn", env={"TOKEN": SECRET}))
    assert SECRET not in info.value.message and "****" in info.value.message
    assert SECRET not in str(info.value)


def test_throttling_beyond_botocore_is_retried_by_the_retrying_client() -> None:
    from lambdawait.aws.retrying import RetryingClient

    clock = FakeClock()
    client = FakeLambda(active())
    client.raise_on["update_function_configuration"] = [
        error("TooManyRequestsException", "Rate exceeded", 429, retries=2) for _ in range(2)
    ]
    retrying = RetryingClient(client, sleep=clock.sleep, clock=clock.now)
    d = Deployer(retrying, waiter(client, clock), timeout=60)
    spec = FunctionSpec("fn", memory=512)
    result = d.apply(spec, None, plan_deploy(spec, None, d.read("fn")))
    assert result.outcome == "updated"
    assert [op for op, _ in client.calls].count("update_function_configuration") == 3
    assert len([s for s in clock.sleeps if s >= 0.1]) >= 2  # two backoffs before the third try


def test_throttling_that_never_ends_is_an_aws_error() -> None:
    client = FakeLambda(active())
    client.raise_on["update_function_configuration"] = [
        error("TooManyRequestsException", "Rate exceeded", 429) for _ in range(10)
    ]
    with pytest.raises(AwsError) as info:
        deploy(client, FunctionSpec("fn", memory=512))
    assert info.value.exit_code is ExitCode.AWS and info.value.reason_code == "TooManyRequestsException"


def test_dry_run_plan_is_data_only() -> None:
    plan = plan_deploy(FunctionSpec("fn", memory=512), None, response(active()))
    assert isinstance(plan, DeployPlan) and plan.describe() == [
        "update configuration of fn:",
        "  memory: 128 MB → 512 MB",
    ]


# --- remote checks before the first mutation ---------------------------------------------------

LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:deps"


class LayerReader:
    """GetLayerVersion only: versions that exist, and an error for the rest."""

    def __init__(self, existing: set[str], missing_error: str = "ResourceNotFoundException") -> None:
        self.existing, self.missing_error = existing, missing_error
        self.calls: list[str] = []

    def get_layer_version(self, LayerName: str, VersionNumber: int) -> dict[str, Any]:
        self.calls.append(f"{LayerName}:{VersionNumber}")
        if f"{LayerName}:{VersionNumber}" not in self.existing:
            raise error(self.missing_error, "Cannot find layer", 404)
        return {"LayerVersionArn": f"{LayerName}:{VersionNumber}"}


def test_every_layer_version_sent_must_exist() -> None:
    from lambdawait.aws.layers import check_layers_exist

    spec = FunctionSpec("fn", layers=(f"{LAYER}:1", f"{LAYER}2:3"))
    plan = plan_deploy(spec, None, response(active()))
    reader = LayerReader({f"{LAYER}:1"})
    with pytest.raises(UsageError) as info:
        check_layers_exist(reader, spec, plan)  # type: ignore[arg-type]
    assert info.value.message == f"layer version {LAYER}2:3 does not exist"
    assert reader.calls == [f"{LAYER}:1", f"{LAYER}2:3"]
    check_layers_exist(LayerReader({f"{LAYER}:1", f"{LAYER}2:3"}), spec, plan)  # type: ignore[arg-type]


def test_layer_check_reads_nothing_when_layers_are_unchanged_and_tolerates_other_errors() -> None:
    from lambdawait.aws.layers import check_layers_exist

    spec = FunctionSpec("fn", layers=(f"{LAYER}:1",))
    unchanged = plan_deploy(spec, None, response(active(Layers=[{"Arn": f"{LAYER}:1"}])))
    reader = LayerReader(set())
    check_layers_exist(reader, spec, unchanged)  # type: ignore[arg-type]
    assert reader.calls == []
    # No permission to read the layer: Lambda judges it when the configuration is sent.
    denied = LayerReader(set(), missing_error="AccessDeniedException")
    check_layers_exist(denied, spec, plan_deploy(spec, None, response(active())))  # type: ignore[arg-type]
    assert denied.calls == [f"{LAYER}:1"]


# --- IAM propagation: a role created moments ago ------------------------------------------------

NOT_ASSUMABLE = "The role defined for the function cannot be assumed by Lambda."


def test_create_rides_out_a_role_iam_has_not_propagated_yet() -> None:
    clock = FakeClock()
    client = FakeLambda(busy_polls=0)
    client.raise_on["create_function"] = [error("InvalidParameterValueException", NOT_ASSUMABLE)] * 2
    steps: list[str] = []
    d = Deployer(client, waiter(client, clock), timeout=60, on_step=steps.append)
    spec = full_spec()
    result = d.apply(spec, package(), plan_deploy(spec, package(), None))
    assert result.outcome == "created"
    assert [op for op, _ in client.calls].count("create_function") == 3
    assert sum(1 for s in steps if "cannot assume the role yet" in s) == 2
    assert 2 <= sum(clock.sleeps) < 15  # two waits of 1-5 s, on the injected clock


def test_a_new_role_in_an_update_is_retried_but_the_error_stays_after_the_budget() -> None:
    clock = FakeClock()
    client = FakeLambda(active())
    client.raise_on["update_function_configuration"] = [
        error("InvalidParameterValueException", NOT_ASSUMABLE) for _ in range(100)
    ]
    d = Deployer(client, waiter(client, clock), timeout=60)
    spec = FunctionSpec("fn", role="arn:aws:iam::123456789012:role/fresh")
    start = clock.now()
    with pytest.raises(UsageError, match="cannot be assumed"):
        d.apply(spec, None, plan_deploy(spec, None, d.read("fn")))
    assert 60 <= clock.now() - start < 70  # the bounded budget, then Lambda's own error
    assert client.mutating().count("update_function_configuration") > 5


def test_without_a_role_change_the_same_error_is_not_retried() -> None:
    client = FakeLambda(active())
    client.raise_on["update_function_configuration"] = [
        error("InvalidParameterValueException", NOT_ASSUMABLE)
    ]
    with pytest.raises(UsageError):
        deploy(client, FunctionSpec("fn", memory=512))
    assert client.mutating() == ["update_function_configuration"]
