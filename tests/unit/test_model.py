"""lambdawait.core.model: one loader for botocore's Lambda models, each accessor as botocore reads it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import botocore.loaders
import botocore.session
import pytest

from lambdawait.core import model

_CACHED = (
    model._loaders,
    model.service_data,
    model.service_model,
    model.waiter_model,
    model.runtimes,
    model.reason_codes,
)


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    for accessor in _CACHED:
        accessor.cache_clear()
    yield
    for accessor in _CACHED:
        accessor.cache_clear()


def _session_model() -> botocore.model.ServiceModel:
    # botocore's own path, independent of lambdawait.core.model.
    return botocore.session.get_session().get_service_model("lambda")


def test_service_model_matches_a_botocore_session() -> None:
    ours, theirs = model.service_model(), _session_model()
    assert ours.operation_names == theirs.operation_names
    assert ours.api_version == theirs.api_version


def test_runtimes_and_reason_codes_are_the_model_enums() -> None:
    theirs = _session_model()
    assert model.runtimes() == frozenset(theirs.shape_for("Runtime").enum)  # type: ignore[attr-defined]
    assert "python3.12" in model.runtimes()
    state, update = model.reason_codes()
    assert state == frozenset(theirs.shape_for("StateReasonCode").enum)  # type: ignore[attr-defined]
    assert update == frozenset(theirs.shape_for("LastUpdateStatusReasonCode").enum)  # type: ignore[attr-defined]


def test_waiter_model_is_botocores_lambda_waiters() -> None:
    theirs = botocore.session.get_session().get_waiter_model("lambda")
    assert model.waiter_model().waiter_names == theirs.waiter_names
    assert "FunctionUpdatedV2" in model.waiter_model().waiter_names


def test_one_loader_serves_every_accessor(monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> None:
    built: list[botocore.loaders.Loader] = []
    real = botocore.loaders.create_loader

    def counting(*args: object, **kwargs: object) -> botocore.loaders.Loader:
        loader = real()
        built.append(loader)
        return loader

    monkeypatch.setattr(botocore.loaders, "create_loader", counting)
    model.service_model()
    model.waiter_model()
    model.runtimes()
    model.reason_codes()
    model.service_data()
    assert len(built) == 1


def test_every_reader_goes_through_the_one_loader(monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> None:
    from lambdawait.core import acceptors, preflight, reasons
    from lambdawait.sim import operations

    acceptors.acceptors.cache_clear()
    operations._routes.cache_clear()
    reads: list[str] = []
    real = botocore.loaders.Loader.load_service_model

    def counting(
        self: botocore.loaders.Loader, service: str, type_name: str, *a: object, **kw: object
    ) -> object:
        reads.append(type_name)
        return real(self, service, type_name, *a, **kw)

    monkeypatch.setattr(botocore.loaders.Loader, "load_service_model", counting)
    try:
        acceptors.acceptors("FunctionActiveV2")
        preflight.known_runtimes()
        reasons.botocore_codes()
        operations._routes()
    finally:
        acceptors.acceptors.cache_clear()
        operations._routes.cache_clear()
    assert sorted(reads) == ["service-2", "waiters-2"]


def test_importing_the_module_loads_no_botocore() -> None:
    code = "import sys, lambdawait.core.model; print('botocore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
