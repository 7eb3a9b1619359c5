"""The `status` text of one function, pure: its state, configuration, versions, aliases, CodeDeploy
deployments and provisioned concurrency as (label, value) rows, in the order people read them.

No Output here: the renderer (render.py) prints the rows, aligned, under the function's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdawait.output.render_text import with_reason

if TYPE_CHECKING:
    from datetime import datetime

    from lambdawait.core.doc_types import FunctionDoc

Row = tuple[str, str | None]  # one row: its label and its value


def status_rows(e: FunctionDoc, now: datetime) -> list[Row]:
    """Every row of ENTRY's block; times as `2 minutes ago` from NOW."""
    return [
        *_config_rows(e, now),
        *_version_rows(e, now),
        *_alias_rows(e),
        *_deployment_rows(e),
        *_provisioned_rows(e),
    ]


def remediation_steps(e: FunctionDoc) -> list[str]:
    """The steps shown under the rows: the catalogue's list, else the one remediation."""
    remediation = e.get("remediation")
    return e.get("remediationSteps") or ([remediation] if remediation else [])


def _config_rows(e: FunctionDoc, now: datetime) -> list[Row]:
    from lambdawait.output.ago import with_ago

    rows: list[Row] = [
        ("state", with_reason(e.get("state"), e.get("stateReasonCode"), e.get("stateReason"))),
        (
            "last update",
            with_reason(
                e.get("lastUpdateStatus"),
                e.get("lastUpdateStatusReasonCode"),
                # The same text as the state's (a failed creation) is said once, above.
                None
                if e.get("lastUpdateStatusReason") == e.get("stateReason")
                else e.get("lastUpdateStatusReason"),
            ),
        ),
        ("runtime", f"{e.get('runtime') or e.get('packageType')} ({e.get('architecture')})"),
        ("handler", e.get("handler") or "-"),
        ("memory", f"{e['memorySize']} MB" if e.get("memorySize") else "-"),
        ("timeout", f"{e['timeout']} s" if e.get("timeout") else "-"),
        ("code sha256", e.get("codeSha256")),
        ("last modified", with_ago(e.get("lastModified"), now)),
        ("environment", ", ".join(f"{k}=****" for k in e.get("environment", {})) or "-"),
    ]
    if e.get("stateMeaning"):
        rows.append(("means", e["stateMeaning"]))
    return rows


def _version_rows(e: FunctionDoc, now: datetime) -> list[Row]:
    from lambdawait.output.ago import ago, parse_time

    rows: list[Row] = []
    for version in e.get("versions", []):
        moment = parse_time(version.get("lastModified") or "")  # the raw time is in -o json
        seen = f"{version['state']}  {version['codeSha256']}" + (f"  {ago(moment, now)}" if moment else "")
        if version.get("stateMeaning"):
            seen += f"  ({version['stateMeaning']})"
        rows.append((f"version {version['version']}", seen))
    return rows


def _alias_rows(e: FunctionDoc) -> list[Row]:
    rows: list[Row] = []
    for alias in e.get("aliases", []):
        weights = alias["additionalVersionWeights"]
        split = "".join(f", {w * 100:g}% -> {v}" for v, w in weights.items())
        rows.append((f"alias {alias['name']}", f"-> {alias['functionVersion']}{split}"))
    return rows


def _deployment_rows(e: FunctionDoc) -> list[Row]:
    rows: list[Row] = []
    for d in e.get("deployments", []):
        events = ", ".join(f"{x['name']} {x['status']}" for x in d["events"])
        moving = f"{d['fromVersion']} -> {d['toVersion']}"
        line = f"{d['deploymentId']} {d['status']} ({d['config']}): {moving}"
        rows.append((f"codedeploy {d['alias']}", line + (f"; {events}" if events else "")))
    return rows


def _provisioned_rows(e: FunctionDoc) -> list[Row]:
    rows: list[Row] = []
    for pc in e.get("provisionedConcurrency", []):
        why = f": {pc['statusReason']}" if pc.get("statusReason") else ""
        seen = f"{pc['status']} {pc['allocated']}/{pc['requested']} allocated{why}"
        rows.append((f"provisioned {pc['qualifier']}", seen))
    return rows
