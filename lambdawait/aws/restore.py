"""Putting an alias wholly back on its old version: the one way out of every shift that went wrong.

The first attempt goes out at once (nothing sleeps before it: GitHub sends SIGKILL 10 s after its
first SIGINT). Throttling, 5xx and transport errors are retried, re-reading the alias each time, for
RESTORE_BUDGET_SECONDS; a lost reply is reconciled by that re-read. Only an alias that somebody else
has changed since our last write is left alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from lambdawait.aws.aliases import Intent, get_alias, is_transport_error, update_alias
from lambdawait.core.errors import ConflictError, LambdawaitError
from lambdawait.core.models import AliasInfo

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi

# How long a restore keeps trying through throttling and transient errors before it reports the
# split it could not undo (exit 6). A CI runner may kill us sooner: GitHub sends SIGKILL 10 s after
# cancelling, which is why the first attempt is immediate.
RESTORE_BUDGET_SECONDS = 20.0
FIRST_DELAY = 0.2
MAX_DELAY = 2.0
TRANSIENT_CODES = frozenset(
    {"TooManyRequestsException", "ThrottlingException", "ServiceException", "ServiceUnavailable"}
)


class NotOurs(ConflictError):
    """The alias is no longer as this shift left it: somebody else's change stands."""


def retryable(exc: BaseException) -> bool:
    """Throttling, 5xx and transport trouble anywhere in the cause chain: worth another attempt."""
    from lambdawait.aws.retrying import is_transient

    seen: BaseException | None = exc
    while seen is not None:
        if is_transient(seen) or is_transport_error(seen):
            return True
        if isinstance(seen, LambdawaitError) and seen.reason_code in TRANSIENT_CODES:
            return True
        seen = seen.__cause__
    return False


def restore_alias(
    client: LambdaApi,
    function: str,
    alias: str,
    old: str,
    *,
    ours: Callable[[AliasInfo], bool],
    description: Callable[[AliasInfo], str | None],
    budget: float = RESTORE_BUDGET_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.monotonic,
) -> AliasInfo | None:
    """The alias wholly on `old` with routing cleared; raises the last error once the budget is spent.

    `sleep` and `now` are the real ones by default on purpose: the command's clock is cancelled by
    the signal that started the restore, and a cancelled clock would turn these waits into a busy loop.
    """
    deadline = now() + budget
    delay = FIRST_DELAY
    while True:
        try:
            current = get_alias(client, function, alias)
            if current is None or (current.function_version == old and not current.weights):
                return current
            if not ours(current):
                raise NotOurs(
                    f"alias {alias} was changed by someone else during the shift; "
                    "lambdawait left it as they set it",
                    hint="check `lambdawait status`",
                    reason_code="PreconditionFailedException",
                )
            intent = Intent(old, {}, description(current))
            return update_alias(client, function, alias, intent, current.revision_id, during="the restore")
        except NotOurs:
            raise
        except ConflictError:
            # The alias moved between our read and our write: read again, `ours` decides.
            if now() + delay > deadline:
                raise
        except Exception as exc:
            if not retryable(exc) or now() + delay > deadline:
                raise
        sleep(delay)
        delay = min(MAX_DELAY, delay * 2)
