"""Runs a deploy's plan: each instruction a guarded call, each change waited on until it has landed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from lambdawait.aws.deploy_failures import failed, redacted, refuse_failed
from lambdawait.aws.guard import guarded_call, raise_for_wait
from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.core.acceptors import Target
from lambdawait.core.errors import (
    LambdawaitError,
    UsageError,
    client_error_code,
    translate_client_error,
)
from lambdawait.core.instructions import (
    CreateFunction,
    StepName,
    TagFunction,
    UpdateCode,
    UpdateConfiguration,
)
from lambdawait.core.ledger import Ledger
from lambdawait.core.models import FunctionStatus
from lambdawait.core.package import LocalPackage

# The plan is data (lambdawait.core.plan); this module runs it. Re-exported: callers plan and apply here.
from lambdawait.core.plan import (
    DeployPlan,
    check_plan,
    config_request,
    desired_fields,
    differing_fields,
    plan_deploy,
    set_config,
)
from lambdawait.core.spec import FunctionSpec

__all__ = ["DeployPlan", "DeployResult", "Deployer", "check_plan", "config_request", "plan_deploy"]

if TYPE_CHECKING:
    from mypy_boto3_lambda.literals import ArchitectureType
    from mypy_boto3_lambda.type_defs import (
        CreateFunctionRequestTypeDef,
        FunctionCodeTypeDef,
        FunctionConfigurationTypeDef,
        GetFunctionResponseTypeDef,
        UpdateFunctionCodeRequestTypeDef,
        UpdateFunctionConfigurationRequestTypeDef,
    )

    from lambdawait.aws.api import LambdaApi

T = TypeVar("T")


@dataclass(frozen=True)
class DeployResult:
    plan: DeployPlan
    outcome: str  # created | updated | unchanged
    status: FunctionStatus | None


def _set_code(
    params: FunctionCodeTypeDef | UpdateFunctionCodeRequestTypeDef,
    spec: FunctionSpec,
    package: LocalPackage | None,
) -> None:
    """Where the code comes from, as Lambda's code parameters (spec parsing fills each kind's fields)."""
    code = spec.code
    if package is not None:
        params["ZipFile"] = package.data
    elif code is not None and code.kind == "s3" and code.s3_bucket and code.s3_key:
        params["S3Bucket"], params["S3Key"] = code.s3_bucket, code.s3_key
        if code.s3_object_version:
            params["S3ObjectVersion"] = code.s3_object_version
    elif code is not None and code.image_uri:
        params["ImageUri"] = code.image_uri


def _architectures(spec: FunctionSpec) -> list[ArchitectureType]:
    """The spec's architecture as Lambda's enum ([] when not given; preflight refuses any other)."""
    if spec.architecture is None:
        return []
    if spec.architecture == "arm64":
        return ["arm64"]
    if spec.architecture == "x86_64":
        return ["x86_64"]
    raise UsageError(f"unknown architecture {spec.architecture!r}", hint="use arm64 or x86_64")


class Deployer:
    """Runs a DeployPlan's function instructions in order: each call guarded, each change waited on."""

    def __init__(
        self,
        client: LambdaApi,
        waiter: Waiter,
        *,
        timeout: float,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.waiter = waiter
        self.timeout = timeout
        self.on_step = on_step or (lambda text: None)
        self.ledger = Ledger("", [])  # replaced by each apply()

    def read(self, name: str) -> GetFunctionResponseTypeDef | None:
        """The one read a deploy needs: GetFunction (configuration, code location, tags)."""
        import botocore.exceptions

        def get() -> GetFunctionResponseTypeDef | None:
            try:
                return self.client.get_function(FunctionName=name)
            except botocore.exceptions.ClientError as exc:
                if client_error_code(exc) == "ResourceNotFoundException":
                    return None
                raise

        return guarded_call(f"reading {name}", get, wait_idle=lambda: None)

    def apply(
        self,
        spec: FunctionSpec,
        package: LocalPackage | None,
        plan: DeployPlan,
        *,
        ledger: Ledger | None = None,
    ) -> DeployResult:
        """Create, update or leave alone; errors never carry an environment value.

        Each step is recorded in `ledger`; without one, the error says itself what changed and what
        did not. A caller passing its own ledger (a deploy that publishes next) annotates the error.
        """
        import botocore.exceptions

        self.ledger = ledger or Ledger(spec.name, list(plan.step_names()))
        annotate = self.ledger.annotate if ledger is None else (lambda err: err)
        try:
            return self._run(spec, package, self._fresh(spec, package, plan))
        except LambdawaitError as err:
            raise annotate(redacted(err, spec)) from err.__cause__
        except botocore.exceptions.ClientError as exc:
            error = translate_client_error(exc, action=f"deploying {spec.name}")
            raise annotate(redacted(error, spec)) from exc

    def _fresh(self, spec: FunctionSpec, package: LocalPackage | None, plan: DeployPlan) -> DeployPlan:
        """The plan, or a new one when it was made while someone else's update was in flight."""
        current = plan.current
        if current is None:
            return plan  # a create
        refuse_failed(spec.name, current)
        if not _settled(current):
            # The plan was made against a configuration that may not survive that update: wait
            # for it, then plan again from what Lambda really holds (the release stays as planned).
            self.on_step(f"{spec.name} is mid-update; waiting for that update first")
            self._settle(spec.name)
            fresh = plan_deploy(spec, package, self.read(spec.name), plan.warnings)
            self.ledger.replan(fresh.step_names())
            plan = fresh.then(*plan.release)
            if plan.current is not None:
                refuse_failed(spec.name, plan.current)
        check_plan(spec, plan)  # again: the plan may have been made afresh after someone's update
        return plan

    def _run(self, spec: FunctionSpec, package: LocalPackage | None, plan: DeployPlan) -> DeployResult:
        """Each function instruction in order, each update guarded by the RevisionId the last one left."""
        revision = plan.current.revision_id if plan.current else None
        for instruction in plan.deploy:
            if isinstance(instruction, CreateFunction):
                return DeployResult(plan, "created", self._create(spec, package, instruction))
            if isinstance(instruction, UpdateCode):
                revision = self._update_code(spec, package, instruction, revision)
            elif isinstance(instruction, UpdateConfiguration):
                revision = self._update_configuration(spec, instruction, revision)
            else:
                self._tag(spec, instruction)
        if not plan.deploy:
            return DeployResult(plan, "unchanged", plan.current)
        status = self._wait(spec.name, "after the update")
        return DeployResult(plan, "updated", status)

    def _settle(self, name: str) -> None:
        """Wait out someone else's update; its failure is theirs (Lambda kept what was live)."""
        result = self.waiter.wait(WaitRequest(name, None, Target.READY), self.timeout)
        status = result.status
        if result.outcome.value == "failed" and status is not None and status.state != "Failed":
            return
        raise_for_wait(result, context=f"waiting for the update already in progress of {name}")

    def _create(
        self, spec: FunctionSpec, package: LocalPackage | None, create: CreateFunction
    ) -> FunctionStatus:
        if spec.role is None:  # preflight says so first; here for callers of the library
            raise UsageError(f"--role is required to create {spec.name}")
        code: FunctionCodeTypeDef = {}
        _set_code(code, spec, package)
        params: CreateFunctionRequestTypeDef = {
            "FunctionName": spec.name,
            "Role": spec.role,
            "Code": code,
            "Publish": False,
        }
        set_config(params, spec, desired_fields(spec))
        if spec.code is not None and spec.code.kind == "image":
            params["PackageType"] = "Image"
        if _architectures(spec):
            params["Architectures"] = _architectures(spec)
        if spec.tags:
            params["Tags"] = dict(spec.tags)
        self.on_step(f"creating {spec.name}")
        self.ledger.begin(create.step)

        def reconcile() -> object | None:
            # "already exists" after botocore retried a lost reply: it may be our own create.
            response = self.read(spec.name)
            config: FunctionConfigurationTypeDef = response.get("Configuration") or {} if response else {}
            ours = create.code_sha256 is None or config.get("CodeSha256") == create.code_sha256
            return response if response is not None and ours else None

        def call() -> object:
            return self.client.create_function(**params)

        guarded_call(
            f"creating {spec.name}",
            self._role_propagation(call),
            wait_idle=lambda: None,
            reconcile=reconcile,
        )
        self.ledger.accept(create.step)
        self.on_step(f"waiting for {spec.name} to become Active")
        result = self.waiter.wait(WaitRequest(spec.name, None, Target.READY), self.timeout)
        if result.outcome.value == "failed":
            raise failed(f"creating {spec.name}", result)
        status = raise_for_wait(result, context=f"creating {spec.name}")
        self.ledger.land(create.step, code_sha256=status.code_sha256)
        return status

    def _update_code(
        self, spec: FunctionSpec, package: LocalPackage | None, update: UpdateCode, revision: str | None
    ) -> str | None:
        self.on_step(f"updating code of {spec.name}")

        def call(rev: str | None) -> object:
            params: UpdateFunctionCodeRequestTypeDef = {"FunctionName": spec.name}
            _set_code(params, spec, package)
            if _architectures(spec):
                params["Architectures"] = _architectures(spec)
            if rev:
                params["RevisionId"] = rev
            return self.client.update_function_code(**params)

        expected = update.code_sha256
        return self._guarded(
            update.step,
            "updating code",
            spec.name,
            call,
            revision,
            landed=lambda cfg: expected is None or cfg.get("CodeSha256") == expected,
        )

    def _update_configuration(
        self, spec: FunctionSpec, update: UpdateConfiguration, revision: str | None
    ) -> str | None:
        fields = update.request_fields
        subnets, groups = update.current_vpc
        # The VpcConfig the plan saw, for partial VPC changes (see config_request).
        seen: FunctionConfigurationTypeDef = {
            "VpcConfig": {"SubnetIds": list(subnets), "SecurityGroupIds": list(groups)}
        }
        self.on_step(f"updating configuration of {spec.name}: {', '.join(update.fields)}")

        def update_call(rev: str | None) -> object:
            def call() -> object:
                params: UpdateFunctionConfigurationRequestTypeDef = {"FunctionName": spec.name}
                set_config(params, spec, fields, seen)
                if rev:
                    params["RevisionId"] = rev
                return self.client.update_function_configuration(**params)

            # Only a new role can be one IAM has not propagated yet; otherwise no wait helps.
            return self._role_propagation(call)() if "role" in fields else call()

        return self._guarded(
            update.step,
            "updating configuration",
            spec.name,
            update_call,
            revision,
            landed=lambda cfg: not differing_fields(spec, cfg),
        )

    def _tag(self, spec: FunctionSpec, tag: TagFunction) -> None:
        self.on_step(f"tagging {spec.name}: {', '.join(tag.keys)}")
        tags = {k: spec.tags[k] for k in tag.keys}
        self.ledger.begin(tag.step)
        guarded_call(
            f"tagging {spec.name}",
            lambda: self.client.tag_resource(Resource=tag.arn, Tags=tags),
            wait_idle=lambda: self._wait(spec.name, "before tagging"),
        )
        self.ledger.land(tag.step)

    def _role_propagation(self, call: Callable[[], T]) -> Callable[[], T]:
        """`call`, retried (bounded) while Lambda cannot assume a role IAM has not propagated yet."""
        from lambdawait.aws.propagation import retry_while_role_propagates

        clock = self.waiter.clock

        def retried() -> T:
            return retry_while_role_propagates(
                call,
                sleep=clock.sleep,
                clock=clock.now,
                on_retry=lambda delay: self.on_step(
                    f"Lambda cannot assume the role yet (IAM still propagating it); retry in {delay:.1f}s"
                ),
            )

        return retried

    def _guarded(
        self,
        step: StepName,
        action: str,
        name: str,
        call: Callable[[str | None], object],
        revision: str | None,
        *,
        landed: Callable[[FunctionConfigurationTypeDef], bool],
    ) -> str | None:
        """One update call with RevisionId, then a wait until Lambda reports it Successful."""

        def reconcile() -> object | None:
            response = self.read(name)
            config: FunctionConfigurationTypeDef = response.get("Configuration") or {} if response else {}
            return response if landed(config) else None

        self.ledger.begin(step)
        guarded_call(
            f"{action} of {name}",
            lambda: call(revision),
            wait_idle=lambda: self._wait(name, f"before {action}"),
            reconcile=reconcile,
        )
        self.ledger.accept(step)
        status = self._wait(name, action)
        self.ledger.land(step, code_sha256=status.code_sha256)
        return status.revision_id

    def _wait(self, name: str, context: str) -> FunctionStatus:
        result = self.waiter.wait(WaitRequest(name, None, Target.READY), self.timeout)
        if (
            result.outcome.value == "failed"
            and result.status
            and result.status.last_update_status == "Failed"
        ):
            # What Lambda kept live (and what of ours landed before) is the ledger's to say.
            raise failed(f"{context} of {name}", result)
        return raise_for_wait(result, context=f"{context} of {name}")


def _settled(status: FunctionStatus) -> bool:
    return status.state != "Pending" and status.last_update_status != "InProgress"
