"""What a failed deploy says: the function's failure with its remediation, env values never shown."""

from __future__ import annotations

from lambdawait.core.errors import LambdawaitError, TargetFailedError, failure_details, redact_details
from lambdawait.core.models import FunctionStatus, WaitResult
from lambdawait.core.spec import FunctionSpec, redact


def refuse_failed(name: str, current: FunctionStatus) -> None:
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
            details=failure_details(current, hint),
        )


def failed(action: str, result: WaitResult) -> TargetFailedError:
    """`ACTION failed: State … : reason`, the steps chosen for what failed, the entry as details."""
    from lambdawait.core.reasons import failure_remediation

    # The waiter's message opens with "NAME failed: "; the action already says that.
    what = result.message.removeprefix(f"{result.function} failed: ")
    hint = failure_remediation(result.status) or result.remediation
    return TargetFailedError(
        f"{action} failed: {what}",
        hint=hint,
        reason_code=result.status.reason_code if result.status else None,
        details=failure_details(result.status, hint),
    )


def redacted(err: LambdawaitError, spec: FunctionSpec) -> LambdawaitError:
    """The same error with every environment value of the spec masked in its texts."""
    env = spec.env
    if not env:
        return err
    err.message = redact(err.message, env)
    err.args = (err.message,)
    err.hint = redact(err.hint, env) if err.hint else err.hint
    err.details = redact_details(err.details, lambda text: redact(text, env))
    return err
