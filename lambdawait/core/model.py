"""botocore's Lambda service and waiter models: one loader, each file read once per process.

Every reader of the installed botocore's Lambda model (the waiter acceptors, the runtime enum of
pre-flight, the reason-code enums, the simulator's routes) goes through here, so an upgrade of
botocore changes them all together and the JSON is parsed once. botocore is imported lazily:
`lambdawait --version` and `explain CODE` load none of it, and the fast wait path only the
waiter file it needs.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.loaders import Loader
    from botocore.model import ServiceModel
    from botocore.waiter import WaiterModel

SERVICE = "lambda"


def loader(search_path: str | None = None) -> Loader:
    """botocore's data loader for a search path (a session's `data_path`), one per process.

    aws.clients hands it to every botocore session it builds, so the clients and this module's
    readers parse each JSON file (the Lambda model, endpoints.json: ~35 ms) once per process.
    """
    return _loaders(search_path)  # one cache key for loader() and loader(None)


@functools.cache
def _loaders(search_path: str | None) -> Loader:
    import botocore.loaders

    # create_loader searches botocore's data and ~/.aws/models, like a botocore session does.
    return botocore.loaders.create_loader(search_path)


@functools.cache
def service_data() -> dict[str, Any]:
    """The raw service-2 JSON (shared: callers must not mutate it)."""
    # Called as botocore's ClientCreator calls it: the loader caches by the call's arguments, so
    # the Lambda client built later over the same loader gets this parse.
    data: dict[str, Any] = loader().load_service_model(SERVICE, "service-2", api_version=None)
    return data


@functools.cache
def service_model() -> ServiceModel:
    """The Lambda ServiceModel, built over service_data()."""
    import botocore.model

    return botocore.model.ServiceModel(service_data(), service_name=SERVICE)


@functools.cache
def waiter_model() -> WaiterModel:
    """The Lambda waiters (waiters-2), as botocore's own Waiter objects read them."""
    import botocore.waiter

    return botocore.waiter.WaiterModel(loader().load_service_model(SERVICE, "waiters-2"))


def _enum(shape_name: str) -> frozenset[str]:
    values = getattr(service_model().shape_for(shape_name), "enum", None) or []
    return frozenset(str(v) for v in values)


@functools.cache
def runtimes() -> frozenset[str]:
    """The Runtime enum: every runtime this botocore knows."""
    return _enum("Runtime")


@functools.cache
def reason_codes() -> tuple[frozenset[str], frozenset[str]]:
    """The StateReasonCode and LastUpdateStatusReasonCode enums, in that order."""
    return _enum("StateReasonCode"), _enum("LastUpdateStatusReasonCode")
