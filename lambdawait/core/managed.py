"""Lambda Managed Instances: the states that came with capacity providers, and what they mean here.

A function on a capacity provider runs on EC2 instances Lambda manages in your account. Its
`$LATEST` is never invoked (an unqualified invoke runs `$LATEST.PUBLISHED`), so once created or
updated it sits in `ActiveNonInvocable` by design: for `wait`, `deploy` and `publish` that is
`$LATEST` being ready. A published version starts managed instances and execution environments
(three by default) before it is `Active`, which can take minutes. `Deactivating`/`Deactivated`
are a version whose execution environments are being / have been stopped, and `Deleting` one
being removed: none of these becomes ready by waiting.
"""

from __future__ import annotations

from lambdawait.core.models import FunctionStatus

NON_INVOCABLE = "ActiveNonInvocable"
MEANINGS = {
    NON_INVOCABLE: "a Lambda Managed Instances function's $LATEST: configured, never invoked "
    "directly (invoke a published version or $LATEST.PUBLISHED)",
    "Deactivating": "Lambda is stopping this Managed Instances version's execution environments; "
    "it will not take invocations",
    "Deactivated": "this Managed Instances version has no execution environments and cannot be "
    "invoked until it is activated again (its scaling config or capacity provider)",
    "Deleting": "Lambda is deleting this version",
}


def meaning(state: str | None) -> str:
    return MEANINGS.get(state or "", "")


def is_latest(qualifier: str | None) -> bool:
    return qualifier in (None, "$LATEST")


def latest_ready(status: FunctionStatus, *, need_update: bool) -> bool | None:
    """For `$LATEST` in ActiveNonInvocable: True ready, False failed, None still updating.

    `need_update` (the `ready` target) also asks for the last update to have landed."""
    if not need_update:
        return True
    update = status.last_update_status
    if update == "Failed":
        return False
    return None if update == "InProgress" else True


def publishing_note(version: str, function: str) -> str:
    return (
        f"version {version} of {function} is Pending while Lambda starts its Managed Instances and "
        "execution environments (often minutes); waiting for it to be Active"
    )
