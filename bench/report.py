"""Turn the results document into the Markdown tables that go into the README."""

from __future__ import annotations

from typing import Any

TARGETS = {
    "version_vs_python": 2.5,
    "wait_vs_aws": 0.6,
    "wait_vs_boto3": 1.0,
    "lag_p50_ms": 150.0,
    "lag_p95_ms": 400.0,
    "fleet_vs_floor": 1.2,
}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _startup(doc: dict[str, Any]) -> list[str]:
    s = doc["startup"]
    st, r = s["stats"], s["ratios"]
    py = st["python -c pass"]["median"]
    rows = [
        f"### 1. Start-up (median of {s['runs']} runs, whole process)",
        "",
        "| command | median | p95 | × `python -c pass` | × `aws --version` | target |",
        "|---|---|---|---|---|---|",
    ]
    aws = st["aws --version"]["median"]
    for name, stats in st.items():
        target = ""
        if name == "lambdawait --version":
            target = f"≤ 2.5× python: {_verdict(r['version_vs_python'] <= TARGETS['version_vs_python'])}"
        rows.append(
            f"| `{name}` | {_ms(stats['median'])} | {_ms(stats['p95'])} | {stats['median'] / py:.2f}× "
            f"| {stats['median'] / aws:.2f}× | {target} |"
        )
    return rows


def _ready(doc: dict[str, Any]) -> list[str]:
    s = doc["ready_wait"]
    st, r, calls = s["stats"], s["ratios"], s["get_function_per_run"]
    lw = st["lambdawait wait"]["median"]
    rows = [
        "",
        f"### 2. Wait on an already-ready function (median of {s['runs']} runs, subprocess)",
        "",
        "| command | median | p95 | GetFunction/run | lambdawait × this | target |",
        "|---|---|---|---|---|---|",
    ]
    targets = {
        "aws lambda wait function-updated-v2": ("≤ 0.6×", r["lambdawait_vs_aws"], TARGETS["wait_vs_aws"]),
        "boto3 waiter script": ("≤ 1.0×", r["lambdawait_vs_boto3"], TARGETS["wait_vs_boto3"]),
    }
    for name, stats in st.items():
        target = ""
        ratio = lw / stats["median"]
        if name in targets:
            label, value, limit = targets[name]
            target = f"{label}: {_verdict(value <= limit)}"
        rows.append(
            f"| `{name}` | {_ms(stats['median'])} | {_ms(stats['p95'])} | {calls[name].get('median', 0):g} "
            f"| {ratio:.2f}× | {target} |"
        )
    prof = s["import_profile"]
    top = ", ".join(f"{k} {v:.0f} ms" for k, v in list(prof["top_level_ms"].items())[:6])
    rows += [
        "",
        f"Import time of `lambdawait wait` (`-X importtime`): {prof['total_ms']:.0f} ms; "
        f"by top-level import: {top}.",
    ]
    return rows


def _lag(doc: dict[str, Any]) -> list[str]:
    s = doc["lag"]
    engines = s["engines"]
    labels = {
        "lw": "lambdawait Waiter (in-process)",
        "bc": "botocore `function_updated_v2` (Delay 1 s)",
        "cli": "`lambdawait wait` (CLI subprocess)",
    }
    bc_long = engines["bc"]["calls_per_wait_over_5s"].get("mean", float("nan"))
    rows = [
        "",
        "### 3. Detection lag (flip → waiter returns)",
        "",
        f"Updates of {', '.join(f'{d:g}' for d in s['nominal_seconds'])} s (each × U(0.85, 1.15)); "
        f"{s['reps']} waits per duration for the in-process engines (run side by side), "
        f"{s['cli_reps']} for the CLI; GetFunction round trip {s['get_function_rtt_ms']:.1f} ms.",
        "",
        "| engine | waits | lag p50 | lag p95 | lag max | GetFunction/wait | …for waits > 5 s |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, e in engines.items():
        rows.append(
            f"| {labels[key]} | {e['waits'] - e['failed']}/{e['waits']} | {e['lag_p50_ms']:.0f} ms "
            f"| {e['lag_p95_ms']:.0f} ms | {e['lag_ms'].get('max', float('nan')):.0f} ms "
            f"| {e['calls_per_wait'].get('mean', float('nan')):.1f} "
            f"| {e['calls_per_wait_over_5s'].get('mean', float('nan')):.1f} |"
        )
    lw = engines["lw"]
    lw_long = lw["calls_per_wait_over_5s"].get("mean", float("nan"))
    rows += [
        "",
        f"Targets (in-process lambdawait): p50 ≤ 150 ms {_verdict(lw['lag_p50_ms'] <= 150)}; "
        f"p95 ≤ 400 ms {_verdict(lw['lag_p95_ms'] <= 400)}; calls for waits > 5 s ≤ botocore's "
        f"({lw_long:.1f} vs {bc_long:.1f}) {_verdict(lw_long <= bc_long)}.",
        "",
        "| update (nominal) | "
        + " | ".join(f"{labels[k].split(' (')[0]} p50 lag / calls" for k in engines)
        + " |",
        "|---|" + "---|" * len(engines),
    ]
    for nominal in lw["by_duration"]:
        cells = []
        for e in engines.values():
            group = e["by_duration"].get(nominal)
            cells.append(f"{group['lag_p50_ms']:.0f} ms / {group['calls_mean']:.1f}" if group else "—")
        rows.append(f"| {nominal} s | " + " | ".join(cells) + " |")
    return rows


def _model(doc: dict[str, Any]) -> list[str]:
    rows = [
        "",
        "#### What-if: poll schedules simulated on the same duration mix and measured RTT",
        "",
        "| schedule | lag p50 | lag p95 | calls/wait | calls, waits > 5 s | calls, 10 s | calls, 300 s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in doc["schedule_model"].items():
        rows.append(
            f"| {name} | {m['lag_p50_ms']:.0f} ms | {m['lag_p95_ms']:.0f} ms | {m['calls_mean']:.1f} "
            f"| {m['calls_over_5s_mean']:.1f} | {m['calls_10s']} | {m['calls_300s']} |"
        )
    return rows


def _fleet(doc: dict[str, Any]) -> list[str]:
    s = doc["fleet"]
    floor = s["floor_seconds"]
    aws = s["aws_cli_loop"]
    rows = [
        "",
        f"### 4. Fleet: update + wait, {s['functions']} functions "
        f"(updates {s['update_seconds']['min']:g}–{s['update_seconds']['max']:g} s, issued at "
        f"{s['updates_paced_at_per_second']:g}/s)",
        "",
        f"Floor = max(longest update, {s['functions']} / 15 req/s) = {floor:.2f} s.",
        "",
        "| run | wall | × floor | last flip | after last flip | GetFunction calls | target ≤ 1.2× |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in s["lambdawait"].items():
        rows.append(
            f"| {name} | {r['wall_seconds']:.2f} s | {r['vs_floor']:.2f}× | {r['last_flip_seconds']:.2f} s "
            f"| {r['lag_after_last_flip_ms']:.0f} ms | {r['get_function_calls']} "
            f"| {_verdict(r['vs_floor'] <= TARGETS['fleet_vs_floor'])} |"
        )
    rows.append(
        f"| sequential `aws` update + wait loop (sample of {len(aws['sample'])}, × {s['functions']}) "
        f"| {aws['extrapolated_seconds']:.0f} s (extrapolated) | {s['aws_vs_floor']:.1f}× | — | — "
        f"| {aws['get_function_calls_per_function'] * s['functions']:.0f} (extrapolated) | — |"
    )
    return rows


def _noop(doc: dict[str, Any]) -> list[str]:
    s = doc["noop_deploy"]
    w = s["wall_seconds"]
    return [
        "",
        f"### 5. No-op deploy (`lambdawait deploy --dir`, unchanged function, {s['runs']} runs)",
        "",
        "| outcome | wall median | wall p95 | read calls | mutating calls |",
        "|---|---|---|---|---|",
        f"| {', '.join(s['outcomes'])} | {_ms(w['median'])} | {_ms(w['p95'])} "
        f"| {s['read_calls']['median']:g} | {s['mutating_calls']['max']:g} |",
    ]


def markdown(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    head = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['os']}; Python {m['python']}, "
        f"boto3 {m['boto3']} / botocore {m['botocore']}, moto {m['moto']}, `{m['awscli']}`; "
        f"lambdawait {m['lambdawait']} ({m['git_commit']}); {m['date']}"
        f"{'; --quick' if doc['quick'] else ''}; total {doc['total_seconds']:.0f} s; load average "
        f"{m['load_average'][0]:.2f} at start, {m.get('load_average_end', [float('nan')])[0]:.2f} at end.",
        "",
    ]
    if m["load_average"][0] > 0.5 * (m["cores"] or 1):
        head += [
            "_Warning: the machine was busy at the start (load average above half the cores); "
            "start-up and subprocess figures are inflated and noisy._",
            "",
        ]
    sections = [_startup, _ready, _lag, _model, _fleet, _noop]
    body: list[str] = []
    for section in sections:
        try:
            body += section(doc)
        except KeyError as exc:  # a section that was skipped or failed
            body += ["", f"_{section.__name__.lstrip('_')}: not measured ({exc})_"]
    return "\n".join(head + body) + "\n"
