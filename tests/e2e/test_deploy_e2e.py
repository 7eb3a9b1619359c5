"""`lambdawait deploy` as a subprocess against the simulator: paths, failures, races, pre-flight."""

from __future__ import annotations

import io
import json
import struct
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import Run

SECRET = "hunter2-planted-e2e"
SCHEMA = json.loads((Path(__file__).parents[2] / "schema" / "result.schema.json").read_text())
Cli = Callable[..., Run]


def base(sim: Simulator) -> list[str]:
    return ["--runtime", "python3.12", "--handler", "app.handler", "--role", sim.role_arn()]


def scenario(sim: Simulator, **defaults: Any) -> None:
    merged = {"create_seconds": 0.2, "update_seconds": 0.2, "publish_seconds": 0.0, **defaults}
    sim.set_scenario(Scenario.from_dict({"defaults": merged}))


def create(sim: Simulator, cli: Cli, app_dir: Path, name: str, *extra: str) -> Run:
    run = cli("deploy", name, "--dir", str(app_dir), *base(sim), *extra, "-o", "json")
    assert run.code == 0, run.stderr
    return run


def config(sim: Simulator, name: str) -> dict[str, Any]:
    return dict(sim.client("lambda").get_function_configuration(FunctionName=name))


def no_secret(*runs: Run) -> None:
    for run in runs:
        assert SECRET not in run.stdout + run.stderr


def test_create_then_unchanged_costs_one_read(sim: Simulator, cli: Cli, app_dir: Path) -> None:
    run = cli(
        "deploy", "fn", "--dir", str(app_dir), *base(sim), "--env", f"TOKEN={SECRET}", "--tag", "team=a"
    )
    assert run.code == 0, run.stderr
    assert "deploy: created" in run.stdout and "creating fn" in run.stderr
    cfg = config(sim, "fn")
    assert cfg["State"] == "Active" and cfg["Environment"]["Variables"] == {"TOKEN": SECRET}
    assert sim.client("lambda").list_tags(Resource=cfg["FunctionArn"])["Tags"] == {"team": "a"}
    sim.reset_calls()
    again = cli(
        "deploy", "fn", "--dir", str(app_dir), *base(sim), "--env", f"TOKEN={SECRET}", "--tag", "team=a",
        "-o", "json", "--verbose",
    )  # fmt: skip
    assert again.code == 0, again.stderr
    assert again.json()["outcome"] == "unchanged"
    assert sim.mutating_calls() == 0 and sim.calls() == {"GetFunction": 1}
    no_secret(run, again)


def test_code_only_config_only_and_both(sim: Simulator, cli_mixed: Cli, app_dir: Path) -> None:
    cli = cli_mixed  # the first deploy through the installed executable, the later ones in-process
    create(sim, cli, app_dir, "fn")
    old_sha = config(sim, "fn")["CodeSha256"]
    (app_dir / "app.py").write_text("def handler(e, c):\n    return 2\n")
    sim.reset_calls()
    code = cli("deploy", "fn", "--dir", str(app_dir), "-o", "json")
    assert code.code == 0, code.stderr
    doc = code.json()
    assert doc["outcome"] == "updated" and doc["plan"]["codeUpdate"] and doc["plan"]["configFields"] == []
    assert sim.calls().get("UpdateFunctionConfiguration") is None and sim.calls()["UpdateFunctionCode"] == 1
    assert doc["codeSha256"] == config(sim, "fn")["CodeSha256"] != old_sha

    sim.reset_calls()
    cfg_only = cli("deploy", "fn", "--memory", "256", "--timeout", "30", "-o", "json")
    assert cfg_only.code == 0, cfg_only.stderr
    assert cfg_only.json()["plan"]["configFields"] == ["memory", "timeout"]
    assert "UpdateFunctionCode" not in sim.calls()
    assert (config(sim, "fn")["MemorySize"], config(sim, "fn")["Timeout"]) == (256, 30)

    (app_dir / "app.py").write_text("def handler(e, c):\n    return 3\n")
    both = cli("deploy", "fn", "--dir", str(app_dir), "--memory", "512", "--description", "v3", "-o", "json")
    assert both.code == 0, both.stderr  # the second call would 409 if not waited for: it never surfaces
    assert "409" not in both.stderr and "Conflict" not in both.stderr
    final = config(sim, "fn")
    assert final["MemorySize"] == 512 and final["Description"] == "v3"
    assert final["LastUpdateStatus"] == "Successful"
    assert final["CodeSha256"] == both.json()["codeSha256"]


def test_failed_create_exits_1_with_reason_and_remediation(sim: Simulator, cli: Cli, app_dir: Path) -> None:
    sim.set_scenario(
        Scenario.from_dict(
            {
                "defaults": {"create_seconds": 0.2},
                "functions": [
                    {
                        "match": "broken",
                        "create_outcome": "failed",
                        "create_reason_code": "SubnetOutOfIPAddresses",
                        "create_reason": "All subnets are out of IP addresses.",
                    }
                ],
            }
        )
    )
    run = cli("deploy", "broken", "--dir", str(app_dir), *base(sim), "--env", f"KEY={SECRET}", "-o", "json")
    assert run.code == 1
    doc = run.json()
    assert doc["ok"] is False and doc["error"]["code"] == "SubnetOutOfIPAddresses"
    assert "delete-function --function-name broken" in doc["error"]["hint"]
    assert doc["functions"][0]["remediation"]
    assert run.stderr.count("error:") == 1 and "Traceback" not in run.stderr
    # Deploying again does not pretend all is well: a Failed function cannot be updated.
    sim.reset_calls()
    again = cli("deploy", "broken", "--dir", str(app_dir), *base(sim), "--env", f"KEY={SECRET}")
    assert again.code == 1 and "Failed" in again.stderr and sim.mutating_calls() == 0
    no_secret(run, again)


def test_failed_update_keeps_old_code_live(sim: Simulator, cli_mixed: Cli, app_dir: Path) -> None:
    cli = cli_mixed  # the first deploy through the installed executable, the later ones in-process
    create(sim, cli, app_dir, "fn")
    old_sha = config(sim, "fn")["CodeSha256"]
    sim.set_scenario(
        Scenario.from_dict(
            {
                "defaults": {
                    "update_seconds": 0.2,
                    "update_outcome": "failed",
                    "update_reason_code": "EniLimitExceeded",
                    "update_reason": "ENI limit reached.",
                }
            }
        )
    )
    (app_dir / "app.py").write_text("def handler(e, c):\n    return 9\n")
    run = cli("deploy", "fn", "--dir", str(app_dir), "-o", "json")
    assert run.code == 1
    doc = run.json()
    assert doc["error"]["code"] == "EniLimitExceeded"
    assert "previous code and configuration, which are still live" in doc["error"]["message"]
    assert doc["functions"][0]["codeSha256"] == old_sha
    assert config(sim, "fn")["CodeSha256"] == old_sha
    text = cli("deploy", "fn", "--dir", str(app_dir))
    assert text.code == 1 and "still live" in text.stderr


def test_config_failing_after_the_code_landed_says_what_is_live(
    sim: Simulator, cli: Cli, app_dir: Path
) -> None:
    sim.set_scenario(
        Scenario.from_dict(
            {
                "defaults": {"create_seconds": 0.05, "update_seconds": 0.1},
                "functions": [
                    {"match": "fn", "update_fail_on": [2], "update_reason_code": "EniLimitExceeded"}
                ],
            }
        )
    )
    create(sim, cli, app_dir, "fn")
    (app_dir / "app.py").write_text("def handler(e, c):\n    return 2\n")
    run = cli(
        "deploy", "fn", "--dir", str(app_dir), "--memory", "512", "--env", f"TOKEN={SECRET}",
        "--publish", "--alias", "live", "-o", "json",
    )  # fmt: skip
    assert run.code == 1, run.stderr
    doc = run.json()
    jsonschema.validate(doc, SCHEMA)
    live = config(sim, "fn")
    sha = live["CodeSha256"]
    assert doc["error"]["code"] == "EniLimitExceeded"
    assert doc["error"]["message"].endswith(
        f"; code {sha[:8]}… is live on $LATEST; configuration not applied (Lambda kept the previous "
        "configuration); no version published; alias live untouched"
    )
    assert (doc["applied"], doc["notApplied"]) == (["code"], ["configuration", "publish", "alias"])
    assert doc["liveCodeSha256"] == sha == doc["functions"][0]["codeSha256"]
    assert live["MemorySize"] == 128 and not (live.get("Environment") or {}).get("Variables")
    assert sim.calls().get("PublishVersion") is None
    assert "is live on $LATEST" in run.stderr and run.stderr.count("error:") == 1
    no_secret(run)


def test_a_role_created_moments_ago_is_waited_for(sim: Simulator, cli: Cli, app_dir: Path) -> None:
    propagating = {"defaults": {"create_seconds": 0.05}, "role_propagation_seconds": 600}
    sim.set_scenario(Scenario.from_dict(propagating))
    fresh = sim.client("iam").create_role(RoleName="fresh", AssumeRolePolicyDocument="{}")["Role"]["Arn"]

    def propagated() -> None:
        # IAM "propagates" once lambdawait has been refused at least once, however slow its start:
        # a second CreateFunction proves the first was refused and retried.
        deadline = time.monotonic() + 30
        while sim.calls().get("CreateFunction", 0) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        sim.set_scenario(Scenario.from_dict({**propagating, "role_propagation_seconds": 0}))

    thread = threading.Thread(target=propagated)
    thread.start()
    run = cli("deploy", "fn", "--dir", str(app_dir), "--runtime", "python3.12", "--handler", "app.handler",
              "--role", fresh)  # fmt: skip
    thread.join()
    assert run.code == 0, run.stderr
    assert "cannot assume the role yet" in run.stderr
    assert sim.calls()["CreateFunction"] >= 2 and config(sim, "fn")["Role"] == fresh


def test_concurrent_change_is_refused_with_exit_4(sim: Simulator, cli: Cli, app_dir: Path) -> None:
    create(sim, cli, app_dir, "fn")
    # lambdawait's UpdateFunctionCode is slow to arrive; another client changes the function meanwhile.
    sim.set_scenario(
        Scenario.from_dict(
            {
                "defaults": {"update_seconds": 0.1},
                "faults": {"latency_ms": 1200, "operations": ["UpdateFunctionCode"]},
            }
        )
    )

    def other_client() -> None:
        # Once lambdawait's call has reached the simulator (and is held by the latency), not after
        # a fixed delay: under load the CLI may start slower than any delay chosen.
        deadline = time.monotonic() + 30
        while not sim.calls().get("UpdateFunctionCode") and time.monotonic() < deadline:
            time.sleep(0.02)
        sim.client("lambda").update_function_configuration(FunctionName="fn", MemorySize=333)

    (app_dir / "app.py").write_text("def handler(e, c):\n    return 4\n")
    old_sha = config(sim, "fn")["CodeSha256"]
    sim.reset_calls()
    thread = threading.Thread(target=other_client)
    thread.start()
    run = cli("deploy", "fn", "--dir", str(app_dir), "-o", "json")
    thread.join()
    assert run.code == 4, run.stderr
    assert run.json()["error"]["type"] == "ConflictError"
    assert "RevisionId" in run.json()["error"]["message"]
    final = config(sim, "fn")
    assert final["MemorySize"] == 333 and final["CodeSha256"] == old_sha  # nothing clobbered


def test_throttling_is_survived(sim: Simulator, cli: Cli, app_dir: Path) -> None:
    create(sim, cli, app_dir, "fn")
    sim.set_scenario(
        Scenario.from_dict(
            {
                "seed": 11,
                "defaults": {"update_seconds": 0.2},
                "faults": {"throttle_rate": 0.2, "retry_after_seconds": 0},
            }
        )
    )
    (app_dir / "app.py").write_text("def handler(e, c):\n    return 5\n")
    run = cli("deploy", "fn", "--dir", str(app_dir), "--memory", "384")
    assert run.code == 0, run.stderr
    assert config(sim, "fn")["MemorySize"] == 384


def test_dry_run_prints_plan_and_changes_nothing(sim: Simulator, cli_mixed: Cli, app_dir: Path) -> None:
    cli = cli_mixed  # the first deploy through the installed executable, the later ones in-process
    sim.reset_calls()
    run = cli("deploy", "new-fn", "--dir", str(app_dir), *base(sim), "--dry-run", "--publish")
    assert run.code == 0, run.stderr
    assert "plan: create new-fn" in run.stdout and "plan: publish a new version" in run.stdout
    assert sim.mutating_calls() == 0
    create(sim, cli, app_dir, "fn")
    sim.reset_calls()
    doc = cli("deploy", "fn", "--memory", "1024", "--env", f"AB={SECRET}", "--dry-run", "-o", "json")
    assert doc.code == 0 and doc.json()["outcome"] == "planned"
    assert doc.json()["plan"]["configFields"] == ["memory", "env"]
    assert sim.mutating_calls() == 0
    no_secret(doc)


def test_dry_run_says_which_files_the_package_leaves_out(sim: Simulator, cli: Cli, app_dir: Path) -> None:
    (app_dir / ".git").mkdir()
    (app_dir / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (app_dir / ".env").write_text(f"TOKEN={SECRET}\n")
    (app_dir / "notes.md").write_text("x\n")
    (app_dir / ".lambdaignore").write_text("*.md\n")
    sim.reset_calls()
    text = cli("deploy", "fn", "--dir", str(app_dir), *base(sim), "--dry-run")
    assert text.code == 0, text.stderr
    line = next(line for line in text.stdout.splitlines() if "plan: package" in line)
    assert line.startswith(f"  plan: package {app_dir}/: 1 file zipped, 4 files excluded (")
    assert "version control 1" in line and ".lambdaignore 1" in line
    doc = cli("deploy", "fn", "--dir", str(app_dir), *base(sim), "--dry-run", "-o", "json").json()
    jsonschema.validate(doc, SCHEMA)
    package = doc["plan"]["package"]
    assert (package["includedFiles"], package["excludedFiles"]) == (1, 4)
    assert sum(package["excluded"].values()) == 4 and package["excluded"][".lambdaignore"] == 1
    assert sim.mutating_calls() == 0
    no_secret(text)


def test_deploy_waits_for_an_update_in_progress(sim: Simulator, cli: Cli, app_dir: Path) -> None:
    create(sim, cli, app_dir, "fn")
    scenario(sim, update_seconds=4)  # outlasts the CLI start-up (even loaded), so its read sees InProgress
    sim.client("lambda").update_function_configuration(FunctionName="fn", MemorySize=200)
    run = cli("deploy", "fn", "--timeout", "20")
    assert run.code == 0, run.stderr
    assert "waiting for that update first" in run.stderr
    final = config(sim, "fn")
    assert (final["MemorySize"], final["Timeout"]) == (200, 20)


def test_tags_env_and_env_file(sim: Simulator, cli_mixed: Cli, app_dir: Path, tmp_path: Path) -> None:
    cli = cli_mixed  # the first deploy through the installed executable, the later ones in-process
    create(sim, cli, app_dir, "fn", "--tag", "team=a")
    dotenv = tmp_path / ".env"
    dotenv.write_text(f'# settings\nexport DB_URL="postgres://u:{SECRET}@db/x"\nMODE=prod\n')
    tags = ["--tag", "team=b", "--tag", "cost=1"]
    run = cli(
        "deploy", "fn", "--env-file", str(dotenv), "--env", "MODE=staging", *tags, "-o", "json", "--verbose"
    )
    assert run.code == 0, run.stderr
    cfg = config(sim, "fn")
    assert cfg["Environment"]["Variables"] == {"DB_URL": f"postgres://u:{SECRET}@db/x", "MODE": "staging"}
    assert sim.client("lambda").list_tags(Resource=cfg["FunctionArn"])["Tags"] == {"team": "b", "cost": "1"}
    assert run.json()["plan"]["tags"] == ["cost", "team"]
    text = cli("deploy", "fn", "--env-file", str(dotenv), "--env", "MODE=prod", "--verbose")
    assert text.code == 0
    no_secret(run, text)


def test_env_removal_needs_prune_env(sim: Simulator, cli_mixed: Cli, app_dir: Path) -> None:
    cli = cli_mixed  # the first deploy through the installed executable, the later ones in-process
    create(sim, cli, app_dir, "fn", "--env", f"DB_PASSWORD={SECRET}", "--env", "OTHER=1", "--env", "MODE=a")
    sim.reset_calls()
    refused = cli("deploy", "fn", "--env", "NEW=1", "-o", "json")
    assert refused.code == 2, refused.stderr
    assert refused.json()["error"]["message"] == (
        "deploying would remove 3 environment variables of fn: DB_PASSWORD, MODE, OTHER"
    )
    assert refused.json()["envRemoved"] == ["DB_PASSWORD", "MODE", "OTHER"]
    assert "--prune-env" in refused.stderr and refused.stderr.count("\n") == 1
    assert sim.mutating_calls() == 0
    assert set(config(sim, "fn")["Environment"]["Variables"]) == {"DB_PASSWORD", "OTHER", "MODE"}

    keep = ("--env", f"DB_PASSWORD={SECRET}", "--env", "MODE=b", "--env", "NEW=1")
    plan = cli("deploy", "fn", *keep, "--prune-env", "--dry-run", "-o", "json")
    assert plan.code == 0, plan.stderr
    assert plan.json()["plan"]["env"] == {"added": ["NEW"], "removed": ["OTHER"], "changed": ["MODE"]}
    jsonschema.validate(plan.json(), SCHEMA)
    jsonschema.validate(refused.json(), SCHEMA)
    text = cli("deploy", "fn", *keep, "--prune-env", "--dry-run")
    step = "configuration of fn:\n          environment: added NEW; removed OTHER; changed MODE (values"
    assert step in text.stdout
    assert sim.mutating_calls() == 0

    pruned = cli("deploy", "fn", *keep, "--prune-env", "-o", "json")
    assert pruned.code == 0, pruned.stderr
    assert config(sim, "fn")["Environment"]["Variables"] == {"DB_PASSWORD": SECRET, "MODE": "b", "NEW": "1"}
    no_secret(refused, plan, text, pruned)


def test_publish_after_deploy(sim: Simulator, cli: Cli, app_dir: Path) -> None:
    scenario(sim, publish_seconds=0.3)
    sim.reset_calls()
    run = cli("deploy", "fn", "--dir", str(app_dir), *base(sim), "--publish", "-o", "json")
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["version"] == "1" and doc["published"] is True
    version = sim.client("lambda").get_function_configuration(FunctionName="fn", Qualifier="1")
    assert version["State"] == "Active"
    assert version["CodeSha256"] == doc["codeSha256"]
    assert sim.calls()["PublishVersion"] == 1


# --- refused before the first mutation: what Lambda (or the shift) would refuse only later ------


def _layer(sim: Simulator, name: str) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("python/dep.py", "X = 1\n")
    published = sim.client("lambda").publish_layer_version(
        LayerName=name, Content={"ZipFile": buf.getvalue()}
    )
    return str(published["LayerVersionArn"])


def test_a_missing_layer_version_is_refused_before_any_change(
    sim: Simulator, cli_mixed: Cli, app_dir: Path
) -> None:
    cli = cli_mixed  # the first deploy through the installed executable, the later ones in-process
    create(sim, cli, app_dir, "fn")
    deps, tools = _layer(sim, "deps"), _layer(sim, "tools")
    missing = tools[: tools.rindex(":")] + ":7"
    (app_dir / "app.py").write_text("def handler(e, c):\n    return 2\n")
    sim.reset_calls()
    run = cli("deploy", "fn", "--dir", str(app_dir), "--layer", deps, "--layer", missing, "-o", "json")
    assert run.code == 2, run.stderr
    assert run.json()["error"]["message"] == f"layer version {missing} does not exist"
    assert sim.mutating_calls() == 0 and sim.calls()["GetLayerVersion"] == 2
    ok = cli("deploy", "fn", "--dir", str(app_dir), "--layer", deps, "-o", "json")
    assert ok.code == 0, ok.stderr
    assert [layer["Arn"] for layer in config(sim, "fn")["Layers"]] == [deps]


def _released(sim: Simulator, cli: Cli, app_dir: Path, *alias: str) -> None:
    """fn with version 1 published and alias live on it (or on $LATEST)."""
    create(sim, cli, app_dir, "fn", "--publish")
    version = alias[0] if alias else "1"
    sim.client("lambda").create_alias(FunctionName="fn", Name="live", FunctionVersion=version)
    (app_dir / "app.py").write_text("def handler(e, c):\n    return 2\n")


def test_a_role_change_under_a_canary_is_refused_before_any_change(
    sim: Simulator, cli_mixed: Cli, app_dir: Path
) -> None:
    cli = cli_mixed  # the first deploy through the installed executable, the later ones in-process
    _released(sim, cli, app_dir)
    other = sim.client("iam").create_role(RoleName="other", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    sim.reset_calls()
    canary = ("--publish", "--alias", "live", "--strategy", "canary:50:0.1s")
    run = cli("deploy", "fn", "--dir", str(app_dir), "--role", other, *canary, "-o", "json")
    assert run.code == 2, run.stderr
    message = run.json()["error"]["message"]
    assert "serves version 1 running as" in message and "across roles" in message
    assert "--strategy AllAtOnce" in run.json()["error"]["hint"]
    assert sim.mutating_calls() == 0
    # All at once needs no weights, so no common role: it goes through.
    whole = cli("deploy", "fn", "--dir", str(app_dir), "--role", other, "--publish", "--alias", "live")
    assert whole.code == 0, whole.stderr
    assert sim.client("lambda").get_alias(FunctionName="fn", Name="live")["FunctionVersion"] == "2"


def test_a_canary_from_an_alias_on_latest_is_refused_before_any_change(
    sim: Simulator, cli: Cli, app_dir: Path
) -> None:
    _released(sim, cli, app_dir, "$LATEST")
    sim.reset_calls()
    run = cli(
        "deploy", "fn", "--dir", str(app_dir), "--publish", "--alias", "live", "--strategy", "linear:50:0.1s"
    )
    assert run.code == 2, run.stderr
    assert (
        "alias live points at $LATEST" in run.stderr and "--to-version N --strategy AllAtOnce" in run.stderr
    )
    assert sim.mutating_calls() == 0


# --- pre-flight rejections: exit 2, one line, no traceback, nothing changed --------------------


def _elf_zip(path: Path, machine: int) -> Path:
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<H", header, 18, machine)
    info = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
    info.create_system, info.external_attr = 3, 0o100755 << 16
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(info, bytes(header))
    return path


def _zip_without_handler(path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("other.py", date_time=(1980, 1, 1, 0, 0, 0))
        info.create_system, info.external_attr = 3, 0o100644 << 16
        zf.writestr(info, "x = 1\n")
    path.write_bytes(buf.getvalue())
    return path


LAYERS = [a for i in range(6) for a in ("--layer", f"arn:aws:lambda:us-east-1:123456789012:layer:l{i}:1")]

REJECTIONS: dict[str, tuple[list[str], str]] = {
    "missing zip": (["--zip", "{tmp}/nope.zip", "{base}"], "does not exist"),
    "not a zip": (["--zip", "{notzip}", "{base}"], "not a valid zip"),
    "wrong ELF": (
        [
            "--zip",
            "{armzip}",
            "--runtime",
            "provided.al2023",
            "--handler",
            "bootstrap",
            "--role",
            "{role}",
            "--architecture",
            "x86_64",
        ],
        "arm64 ELF",
    ),
    "missing handler file": (["--zip", "{nohandler}", "{base}"], "app"),
    "memory 64": (["--dir", "{app}", "{base}", "--memory", "64"], "memory 64"),
    "memory not a number": (["--dir", "{app}", "{base}", "--memory", "lots"], "--memory"),
    "timeout 901": (["--dir", "{app}", "{base}", "--timeout", "901"], "timeout 901"),
    "reserved env key": (["--dir", "{app}", "{base}", "--env", "AWS_REGION=x"], "reserved"),
    "env item without =": (["--dir", "{app}", "{base}", "--env", SECRET], "KEY=VALUE"),
    "env too big": (["--dir", "{app}", "{base}", "--env", "BIG=" + SECRET * 300], "4 KB"),
    "six layers": (["--dir", "{app}", "{base}", *LAYERS], "at most 5 layers"),
    "bad function name": (["--dir", "{app}", "{base}"], "not valid"),
    "alias without publish": (["--dir", "{app}", "{base}", "--alias", "live"], "--alias needs --publish"),
    "bad strategy": (
        ["--dir", "{app}", "{base}", "--publish", "--alias", "live", "--strategy", "bogus"],
        "bogus",
    ),
    "two code sources": (["--dir", "{app}", "--zip", "{notzip}", "{base}"], "one code source"),
    "missing env file": (["--dir", "{app}", "{base}", "--env-file", "{tmp}/none.env"], "--env-file"),
    "prune-env alone": (["--dir", "{app}", "{base}", "--prune-env"], "--prune-env needs --env"),
    "no role on create": (
        ["--dir", "{app}", "--runtime", "python3.12", "--handler", "app.handler"],
        "--role",
    ),
    # A runtime newer than the installed botocore model only warns; a typo of a family is refused.
    "misspelt runtime": (
        ["--dir", "{app}", "--runtime", "pyhton3.12", "--handler", "a.b", "--role", "{role}"],
        "pyhton3.12",
    ),
}


JSON_CASES = {"not a zip", "memory not a number", "env item without =", "bad function name", "bad strategy"}


def test_preflight_rejections(
    sim: Simulator, cli: Cli, cli_in_process: Cli, app_dir: Path, tmp_path: Path
) -> None:
    """Every case in one simulator; one through the installed executable, the rest in-process."""
    notzip = tmp_path / "notzip.zip"
    notzip.write_text("hello")
    values = {
        "{tmp}": str(tmp_path),
        "{notzip}": str(notzip),
        "{armzip}": str(_elf_zip(tmp_path / "arm.zip", 183)),
        "{nohandler}": str(_zip_without_handler(tmp_path / "nohandler.zip")),
        "{app}": str(app_dir),
        "{role}": sim.role_arn(),
    }

    def argv_for(case: str) -> list[str]:
        argv: list[str] = []
        for arg in REJECTIONS[case][0]:
            if arg == "{base}":
                argv += base(sim)
                continue
            for key, value in values.items():
                arg = arg.replace(key, value)
            argv.append(arg)
        return argv

    def check(case: str) -> str | None:
        name = "bad name!" if case == "bad function name" else "fn"
        argv, expected = argv_for(case), REJECTIONS[case][1]
        # JSON mode for a few representative cases only.
        run = cli if case == "not a zip" else cli_in_process
        text = run("deploy", name, *argv)
        doc = run("deploy", name, *argv, "-o", "json") if case in JSON_CASES else text
        one_line = text.stderr.count("\n") == 1 and text.stderr.startswith("error: ")
        ok = (
            text.code == 2
            and one_line
            and expected in text.stderr
            and "Traceback" not in text.stderr + doc.stderr
            and doc.code == 2
            and (doc is text or doc.json()["exitCode"] == 2)
            and SECRET not in text.stdout + text.stderr + doc.stdout + doc.stderr
        )
        return None if ok else f"{case}: exit {text.code}/{doc.code}: {text.stderr!r} {doc.stdout[:200]!r}"

    assert len(REJECTIONS) >= 10
    sim.reset_calls()
    problems = [p for p in map(check, sorted(REJECTIONS)) if p]  # in-process runs need the main thread
    assert problems == []
    assert sim.mutating_calls() == 0
