"""What `lambdawait deploy` packages, through the installed executable against the simulator."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lambdawait.core.package import build_zip, code_sha256
from lambdawait.sim import Simulator
from tests.e2e.conftest import Run

SECRET = "planted-outside-secret-e2e"
Cli = Callable[..., Run]


def base(sim: Simulator) -> list[str]:
    return ["--runtime", "python3.12", "--handler", "app.handler", "--role", sim.role_arn()]


def refused(run: Run, sim: Simulator, *expected: str) -> str | None:
    """None when the run is a one-line exit-2 refusal holding every expected text and no secret."""
    output = run.stdout + run.stderr
    ok = (
        run.code == 2
        and run.stderr.startswith("error: ")
        and run.stderr.count("\n") == 1
        and all(text in run.stderr for text in expected)
        and SECRET not in output
        and sim.env()["AWS_SECRET_ACCESS_KEY"] not in output
    )
    return None if ok else f"{run.args}: exit {run.code}: {run.stderr!r}"


def test_links_out_of_the_tree_and_bad_zips_are_refused_before_any_call(
    sim: Simulator, cli: Cli, tmp_path: Path
) -> None:
    secret = tmp_path / "credentials"
    secret.write_text(f"aws_secret_access_key = {SECRET}\n")
    trees = {}
    for name, target in (("to-file", secret), ("to-environ", Path("/proc/self/environ"))):
        tree = tmp_path / name
        tree.mkdir()
        (tree / "app.py").write_text("def handler(event, context):\n    return 1\n")
        (tree / "config").symlink_to(target)
        trees[name] = tree
    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(slip, "w") as zf:
        zf.writestr("app.py", "def handler(event, context):\n    return 1\n")
        zf.writestr("../../etc/cron.d/job", "* * * * * root true\n")
    cases = {
        "to-file": (["--dir", str(trees["to-file"])], ["config in --dir", f"symlink to {secret}, outside"]),
        "to-environ": (["--dir", str(trees["to-environ"])], ["config in --dir", "/proc/self/environ"]),
        "slip": (["--zip", str(slip)], ["has an entry with a '..' component: '../../etc/cron.d/job'"]),
        "device": (["--zip", "/dev/null"], ["--zip /dev/null is a character device, not a .zip file"]),
    }
    if not Path("/proc/self/environ").exists():
        del cases["to-environ"]

    def check(case: str) -> str | None:
        argv, expected = cases[case]
        return refused(cli("deploy", "fn", *argv, *base(sim)), sim, *expected)

    sim.reset_calls()
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert [p for p in pool.map(check, sorted(cases)) if p] == []
    assert sim.mutating_calls() == 0


def test_litter_and_lambdaignored_files_are_not_deployed(sim: Simulator, cli: Cli, app_dir: Path) -> None:
    clean = app_dir.parent / "clean"
    shutil.copytree(app_dir, clean)
    for name, text in {
        ".git/config": "[core]\n",
        ".env": f"TOKEN={SECRET}\n",
        "__pycache__/app.cpython-312.pyc": "bytecode",
        ".lambdaignore": "notes/\n",
        "notes/todo.md": "ship it\n",
    }.items():
        (app_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (app_dir / name).write_text(text)
    run = cli("deploy", "fn", "--dir", str(app_dir), *base(sim), "-o", "json")
    assert run.code == 0, run.stderr
    deployed = sim.client("lambda").get_function_configuration(FunctionName="fn")["CodeSha256"]
    assert deployed == run.json()["codeSha256"] == code_sha256(build_zip(clean))
    with zipfile.ZipFile(io.BytesIO(build_zip(app_dir))) as zf:
        assert zf.namelist() == ["app.py"]
