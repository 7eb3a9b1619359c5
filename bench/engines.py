"""The waiters under test, built the way their users build them, with a GetFunction call counter."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from simproc import SimServer

if TYPE_CHECKING:
    from lambdawait.aws.waiter import Waiter


class CallCounter:
    """Counts GetFunction requests a boto3 client sends (botocore retries included)."""

    def __init__(self, client: Any) -> None:
        self.count = 0
        self._lock = threading.Lock()
        client.meta.events.register("before-send.lambda.GetFunction", self._on_send)

    def _on_send(self, **kwargs: Any) -> None:
        with self._lock:
            self.count += 1


def lambdawait_waiter(sim: SimServer) -> tuple[Waiter, CallCounter]:
    """lambdawait's Waiter with its defaults, on a client from lambdawait's own factory (as the CLI)."""
    from lambdawait.aws.clients import Clients, ConnectionOptions
    from lambdawait.aws.waiter import Waiter
    from lambdawait.core.clock import SystemClock

    os.environ.update(sim.env())  # the factory reads credentials and region from the environment
    client = Clients(ConnectionOptions(endpoint_url=sim.endpoint)).lambda_()
    counter = CallCounter(client)
    return Waiter(client, clock=SystemClock()), counter
