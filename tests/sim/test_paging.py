"""Paged lists as AWS serves them (50 a page, NextMarker, MaxItems), and lambdawait reading every page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lambdawait.aws.describe import describe, list_aliases, list_versions
from lambdawait.sim import Scenario, Simulator
from tests.sim.helpers import create, error_of, make_zip

pytestmark = pytest.mark.timeout(60)

# Instant transitions and no quotas: building 55 versions takes one call each.
INSTANT = {"defaults": {"create_seconds": 0, "update_seconds": 0}, "quotas": {"enabled": False}}
VERSIONS = 55


FUNCTIONS = 52
ALIASES = 53


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    """One simulator for this module's read-only tests: 52 functions, "fn" with 55 versions and
    53 aliases. Built once: that is some 160 calls."""
    with Simulator(Scenario.from_dict(INSTANT)) as sim:
        lam = sim.client("lambda")
        create(sim, "fn", Publish=True)
        for n in range(2, VERSIONS + 1):
            code = make_zip({"v.py": str(n)})
            published = lam.update_function_code(FunctionName="fn", ZipFile=code, Publish=True)
            assert published["Version"] == str(n)
        for n in range(1, FUNCTIONS):
            create(sim, f"other-{n:02d}")
        for n in range(ALIASES):
            lam.create_alias(FunctionName="fn", Name=f"alias-{n:02d}", FunctionVersion="1")
        yield sim


def _versions(pages: list[dict[str, Any]]) -> list[str]:
    return [v["Version"] for page in pages for v in page["Versions"]]


def test_list_versions_answers_fifty_a_page_with_a_next_marker(sim: Simulator) -> None:
    lam = sim.client("lambda")
    first = lam.list_versions_by_function(FunctionName="fn")
    assert [v["Version"] for v in first["Versions"]] == ["$LATEST", *map(str, range(1, 50))]
    assert first["NextMarker"]
    # MaxItems above 50 still gets 50: AWS caps each response.
    assert len(lam.list_versions_by_function(FunctionName="fn", MaxItems=500)["Versions"]) == 50
    second = lam.list_versions_by_function(FunctionName="fn", Marker=first["NextMarker"])
    assert [v["Version"] for v in second["Versions"]] == [str(n) for n in range(50, VERSIONS + 1)]
    assert "NextMarker" not in second


def test_botocore_paginators_read_every_page(sim: Simulator) -> None:
    lam = sim.client("lambda")
    pages = list(lam.get_paginator("list_versions_by_function").paginate(FunctionName="fn"))
    assert [len(p["Versions"]) for p in pages] == [50, VERSIONS + 1 - 50]
    assert _versions(pages) == ["$LATEST", *map(str, range(1, VERSIONS + 1))]
    small = lam.get_paginator("list_versions_by_function").paginate(
        FunctionName="fn", PaginationConfig={"PageSize": 20}
    )
    assert [len(p["Versions"]) for p in small] == [20, 20, VERSIONS + 1 - 40]


def test_bad_markers_and_max_items_are_refused(sim: Simulator) -> None:
    lam = sim.client("lambda", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        lam.list_versions_by_function(FunctionName="fn", Marker="not-a-marker")
    assert error_of(exc.value)[:2] == (400, "InvalidParameterValueException")
    with pytest.raises(ClientError) as exc:
        lam.list_versions_by_function(FunctionName="fn", MaxItems=0)
    assert error_of(exc.value) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )


def test_lambdawait_reads_past_the_first_page(sim: Simulator) -> None:
    lam = sim.client("lambda")
    assert [v.version for v in list_versions(lam, "fn")] == [str(n) for n in range(1, VERSIONS + 1)]
    # `lambdawait status` shows the newest versions, which live on the second page.
    report = describe(lam, "fn")
    assert [v.version for v in report.versions] == [str(n) for n in range(VERSIONS - 4, VERSIONS + 1)]


def test_functions_and_aliases_page_too(sim: Simulator) -> None:
    lam = sim.client("lambda")
    functions = list(lam.get_paginator("list_functions").paginate())
    assert [len(p["Functions"]) for p in functions] == [50, FUNCTIONS - 50]
    names = sorted(f["FunctionName"] for p in functions for f in p["Functions"])
    assert names == ["fn", *(f"other-{n:02d}" for n in range(1, FUNCTIONS))]
    first = lam.list_aliases(FunctionName="fn")
    assert len(first["Aliases"]) == 50 and first["NextMarker"]
    aliases = list(lam.get_paginator("list_aliases").paginate(FunctionName="fn"))
    assert [len(p["Aliases"]) for p in aliases] == [50, ALIASES - 50]
    assert [a.name for a in list_aliases(lam, "fn")] == [f"alias-{n:02d}" for n in range(ALIASES)]
