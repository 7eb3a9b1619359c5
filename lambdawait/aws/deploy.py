"""Create-or-update sequencing: one read, a plan of what differs, guarded calls, a wait after each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lambdawait.aws.guard import guarded_call, raise_for_wait
from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.core.acceptors import Target
from lambdawait.core.errors import (
    LambdawaitError,
    TargetFailedError,
    client_error_code,
    translate_client_error,
)
from lambdawait.core.ledger import Ledger
from lambdawait.core.models import FunctionStatus, WaitResult
from lambdawait.core.package import LocalPackage

# The plan is data (deploy_plan); this module runs it. Re-exported: callers plan and apply here.
from lambdawait.core.plan import (
    DeployPlan,
    check_plan,
    config_request,
    desired_config,
    plan_deploy,
)
from lambdawait.core.spec import FunctionSpec, redact

__all__ = ["DeployPlan", "DeployResult", "Deployer", "check_plan", "config_request", "plan_deploy"]

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi


@dataclass(frozen=True)
class DeployResult:
    plan: DeployPlan
    outcome: str  # created | updated | unchanged
    status: FunctionStatus | None


def _code_params(spec: FunctionSpec, package: LocalPackage | None) -> dict[str, Any]:
    code = spec.code
    if code is None:
        return {}
    if package is not None:
        return {"ZipFile": package.data}
    if code.kind == "s3":
        params = {"S3Bucket": code.s3_bucket, "S3Key": code.s3_key}
        if code.s3_object_version:
            params["S3ObjectVersion"] = code.s3_object_version
        return params
    return {"ImageUri": code.image_uri}


class Deployer:
    """Runs a DeployPlan: every mutating call guarded, every change waited on until it has landed."""

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

    def read(self, name: str) -> dict[str, Any] | None:
        """The one read a deploy needs: GetFunction (configuration, code location, tags)."""
        import botocore.exceptions

        def get() -> dict[str, Any] | None:
            try:
                return dict(self.client.get_function(FunctionName=name))
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

        self.ledger = ledger or Ledger(spec.name, plan.step_names())
        annotate = self.ledger.annotate if ledger is None else (lambda err: err)
        try:
            return self._apply(spec, package, plan)
        except LambdawaitError as err:
            raise annotate(_redacted(err, spec)) from err.__cause__
        except botocore.exceptions.ClientError as exc:
            error = translate_client_error(exc, action=f"deploying {spec.name}")
            raise annotate(_redacted(error, spec)) from exc

    def _apply(self, spec: FunctionSpec, package: LocalPackage | None, plan: DeployPlan) -> DeployResult:
        if plan.create:
            return self._create(spec, package, plan)
        current = plan.current
        assert current is not None
        _refuse_failed(spec.name, current)
        if not _settled(current):
            # The plan was made against a configuration that may not survive that update: wait
            # for it, then plan again from what Lambda really holds.
            self.on_step(f"{spec.name} is mid-update; waiting for that update first")
            self._settle(spec.name)
            response = self.read(spec.name)
            if response is None:
                self.ledger.replan(["create"])
                return self._create(spec, package, plan_deploy(spec, package, None, plan.warnings))
            plan = plan_deploy(spec, package, response, plan.warnings)
            self.ledger.replan(plan.step_names())
            assert plan.current is not None
            _refuse_failed(spec.name, plan.current)
        check_plan(spec, plan)  # again: the plan may have been made afresh after someone's update
        if not plan.changes:
            return DeployResult(plan, "unchanged", plan.current)
        return self._update(spec, package, plan)

    def _settle(self, name: str) -> None:
        """Wait out someone else's update; its failure is theirs (Lambda kept what was live)."""
        result = self.waiter.wait(WaitRequest(name, None, Target.READY), self.timeout)
        status = result.status
        if result.outcome.value == "failed" and status is not None and status.state != "Failed":
            return
        raise_for_wait(result, context=f"waiting for the update already in progress of {name}")

    def _create(self, spec: FunctionSpec, package: LocalPackage | None, plan: DeployPlan) -> DeployResult:
        params: dict[str, Any] = {
            "FunctionName": spec.name,
            "Code": _code_params(spec, package),
            "Publish": False,
            **config_request(spec, tuple(desired_config(spec))),
        }
        if spec.code is not None and spec.code.kind == "image":
            params["PackageType"] = "Image"
        if spec.architecture:
            params["Architectures"] = [spec.architecture]
        if spec.tags:
            params["Tags"] = dict(spec.tags)
        self.on_step(f"creating {spec.name}")
        self.ledger.begin("create")

        def reconcile() -> Any:
            # "already exists" after botocore retried a lost reply: it may be our own create.
            response = self.read(spec.name)
            config = (response or {}).get("Configuration") or {}
            ours = plan.local_sha256 is None or config.get("CodeSha256") == plan.local_sha256
            return response if response is not None and ours else None

        guarded_call(
            f"creating {spec.name}",
            self._role_propagation(lambda: self.client.create_function(**params)),
            wait_idle=lambda: None,
            reconcile=reconcile,
        )
        self.ledger.accept("create")
        self.on_step(f"waiting for {spec.name} to become Active")
        result = self.waiter.wait(WaitRequest(spec.name, None, Target.READY), self.timeout)
        if result.outcome.value == "failed":
            raise _failed(f"creating {spec.name}", result)
        status = raise_for_wait(result, context=f"creating {spec.name}")
        self.ledger.land("create", code_sha256=status.code_sha256)
        return DeployResult(plan, "created", status)

    def _update(self, spec: FunctionSpec, package: LocalPackage | None, plan: DeployPlan) -> DeployResult:
        """Code, then configuration, then tags: each guarded by the RevisionId the last one left."""
        assert plan.current is not None
        revision = plan.current.revision_id
        if plan.code_update:
            revision = self._update_code(spec, package, plan, revision)
        if plan.config_fields:
            self._update_configuration(spec, plan, revision)
        if plan.tags:
            self._tag(spec, plan)
        status = self._wait(spec.name, "after the update")
        return DeployResult(plan, "updated", status)

    def _update_code(
        self, spec: FunctionSpec, package: LocalPackage | None, plan: DeployPlan, revision: str | None
    ) -> str | None:
        self.on_step(f"updating code of {spec.name}")
        params: dict[str, Any] = {"FunctionName": spec.name, **_code_params(spec, package)}
        if spec.architecture:
            params["Architectures"] = [spec.architecture]
        expected = plan.local_sha256
        return self._guarded(
            "code",
            "updating code",
            spec.name,
            lambda rev: self.client.update_function_code(**params, **_rev(rev)),
            revision,
            landed=lambda cfg: expected is None or cfg.get("CodeSha256") == expected,
        )

    def _update_configuration(self, spec: FunctionSpec, plan: DeployPlan, revision: str | None) -> str | None:
        fields = tuple(f for f in plan.config_fields if f != "vpc")
        if "vpc" in plan.config_fields:
            fields += ("subnets", "security_groups")
        params: dict[str, Any] = {
            "FunctionName": spec.name,
            **config_request(spec, fields, _configuration(plan)),
        }
        self.on_step(f"updating configuration of {spec.name}: {', '.join(plan.config_fields)}")

        def update(rev: str | None) -> Any:
            def call() -> Any:
                return self.client.update_function_configuration(**params, **_rev(rev))

            # Only a new role can be one IAM has not propagated yet; otherwise no wait helps.
            return self._role_propagation(call)() if "role" in fields else call()

        return self._guarded(
            "configuration",
            "updating configuration",
            spec.name,
            update,
            revision,
            landed=lambda cfg: not plan_deploy(spec, None, {"Configuration": cfg}).config_fields,
        )

    def _tag(self, spec: FunctionSpec, plan: DeployPlan) -> None:
        assert plan.current is not None
        arn = plan.current.function_arn or spec.name
        self.on_step(f"tagging {spec.name}: {', '.join(plan.tags)}")
        tags = {k: spec.tags[k] for k in plan.tags}
        self.ledger.begin("tags")
        guarded_call(
            f"tagging {spec.name}",
            lambda: self.client.tag_resource(Resource=arn, Tags=tags),
            wait_idle=lambda: self._wait(spec.name, "before tagging"),
        )
        self.ledger.land("tags")

    def _role_propagation(self, call: Callable[[], Any]) -> Callable[[], Any]:
        """`call`, retried (bounded) while Lambda cannot assume a role IAM has not propagated yet."""
        from lambdawait.aws.propagation import retry_while_role_propagates

        clock = self.waiter.clock

        def retried() -> Any:
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
        step: str,
        action: str,
        name: str,
        call: Callable[[str | None], Any],
        revision: str | None,
        *,
        landed: Callable[[Mapping[str, Any]], bool],
    ) -> str | None:
        """One update call with RevisionId, then a wait until Lambda reports it Successful."""

        def reconcile() -> Any:
            response = self.read(name) or {}
            return response if landed(response.get("Configuration") or {}) else None

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
            raise _failed(f"{context} of {name}", result)
        return raise_for_wait(result, context=f"{context} of {name}")


def _settled(status: FunctionStatus) -> bool:
    return status.state != "Pending" and status.last_update_status != "InProgress"


def _refuse_failed(name: str, current: FunctionStatus) -> None:
    """A function whose creation failed accepts no update: say so instead of calling Lambda."""
    if current.state == "Failed":
        from lambdawait.core.reasons import failure_remediation

        hint = failure_remediation(current) or (
            f"fix the cause, delete {name} (aws lambda delete-function --function-name {name}) "
            "and deploy again to re-create it"
        )
        raise TargetFailedError(
            f"{name} is Failed ({current.state_reason_code}); Lambda cannot update it",
            hint=hint,
            reason_code=current.state_reason_code,
            details=_failure_details(current, hint),
        )


def _failed(action: str, result: WaitResult) -> TargetFailedError:
    """`ACTION failed: State … : reason`, the steps chosen for what failed, the entry as details."""
    from lambdawait.core.reasons import failure_remediation

    # The waiter's message opens with "NAME failed: "; the action already says that.
    what = result.message.removeprefix(f"{result.function} failed: ")
    hint = failure_remediation(result.status) or result.remediation
    return TargetFailedError(
        f"{action} failed: {what}",
        hint=hint,
        reason_code=result.status.reason_code if result.status else None,
        details=_failure_details(result.status, hint),
    )


def _configuration(plan: DeployPlan) -> dict[str, Any]:
    """The VpcConfig the plan saw, for partial VPC changes (see config_request)."""
    subnets, groups = plan.current_vpc
    return {"VpcConfig": {"SubnetIds": list(subnets), "SecurityGroupIds": list(groups)}}


def _redacted(err: LambdawaitError, spec: FunctionSpec) -> LambdawaitError:
    """The same error with every environment value of the spec masked in its texts."""
    if not spec.env:
        return err
    err.message = redact(err.message, spec.env)
    err.args = (err.message,)
    err.hint = redact(err.hint, spec.env) if err.hint else err.hint
    err.details = _redact_tree(err.details, spec.env)
    return err


def _redact_tree(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return redact(value, env)
    if isinstance(value, dict):
        return {k: _redact_tree(v, env) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_tree(v, env) for v in value]
    return value


def _rev(revision: str | None) -> dict[str, Any]:
    return {"RevisionId": revision} if revision else {}


def _failure_details(status: FunctionStatus | None, remediation: str | None) -> dict[str, Any]:
    from lambdawait.core.entries import function_entry

    if status is None:
        return {}
    # After a failed update, codeSha256 in the entry is the code Lambda kept live.
    return {"functions": [function_entry(status, remediation=remediation)]}
