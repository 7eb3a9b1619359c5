"""The simulator as a `lambdawait sim serve` subprocess (own GIL, own core), driven over HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from harness import LAMBDAWAIT, clean_env

ACCESS_KEY = "testing"
REGION = "us-east-1"


class SimServer:
    """Starts the simulator on a free loopback port; `stop()` sends SIGTERM to that one process."""

    def __init__(self, scenario: Mapping[str, Any]) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="lambdawait-bench-")
        path = Path(self._dir.name) / "scenario.json"
        path.write_text(json.dumps(scenario))
        self.proc = subprocess.Popen(
            [LAMBDAWAIT, "sim", "serve", "--port", "0", "--scenario", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            env=clean_env(),
        )
        self.endpoint = ""
        self.role_arn = ""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if "listening on" in line:
                self.endpoint = line.rsplit(" ", 1)[1].strip()
            elif line.startswith("execution role:"):
                self.role_arn = line.split(":", 1)[1].strip()
            if self.endpoint and self.role_arn:
                break
        if not self.endpoint:
            self.stop()
            raise RuntimeError("the simulator did not start")

    def env(self) -> dict[str, str]:
        """Variables that point boto3, lambdawait and the aws CLI at the simulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(f"{self.endpoint}{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def calls(self) -> dict[str, int]:
        return dict(self._control("GET", "/_sim/calls")["calls"])

    def mutating(self) -> int:
        return int(self._control("GET", "/_sim/calls")["mutating"])

    def reset_calls(self) -> None:
        self._control("POST", "/_sim/reset-calls")

    def events(self) -> list[dict[str, Any]]:
        return list(self._control("GET", "/_sim/events")["events"])

    def set_scenario(self, scenario: Mapping[str, Any]) -> None:
        self._control("POST", "/_sim/scenario", dict(scenario))

    def client(self, **config: Any) -> Any:
        """A plain boto3 Lambda client at the simulator (botocore defaults unless `config`)."""
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=ACCESS_KEY, region_name=REGION
        )
        return session.client("lambda", endpoint_url=self.endpoint, config=Config(**config))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._dir.cleanup()

    def __enter__(self) -> SimServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
