"""Replay plumbing: botocore clients on the simulator, answers kept as the recordings keep them."""

from __future__ import annotations

import io
import itertools
import json
import time
import zipfile
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

from lambdawait.sim import Simulator

# Tiny durations: the suite replays 21 recordings in seconds. Functions named "slow-*" keep an
# update in progress long enough for a second call to arrive inside it, whatever the load. The
# request-rate quota is off: the recordings were made at a test's pace, the replay is faster.
SCENARIO: dict[str, Any] = {
    "defaults": {"create_seconds": 0.05, "update_seconds": 0.05, "provisioned_seconds": 0.05},
    "quotas": {"enabled": False},
    "functions": [{"match": "slow-*", "update_seconds": 60}],
}
_NO_RETRIES = {"total_max_attempts": 1, "mode": "standard"}

ECHO = "import json\n\ndef handler(event, context):\n    print(json.dumps(event))\n    return event\n"


def stored_zip(files: dict[str, str]) -> bytes:
    """A zip stored uncompressed with fixed timestamps, as the recording tests build theirs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


ZIP_ECHO = stored_zip({"handler.py": ECHO})
ZIP_ECHO_INDEX = stored_zip({"index.py": ECHO})
PYVERSION = "import sys\n\ndef handler(event, context):\n    return 'python3.%d' % sys.version_info[1]\n"
ZIP_PYVERSION = stored_zip({"handler.py": PYVERSION})


def zip_version(text: str) -> bytes:
    code = (
        "def handler(event, context):\n"
        f"    return {{'message': {text!r}, 'arn': context.invoked_function_arn,"
        " 'version': context.function_version}\n"
    )
    return stored_zip({"handler.py": code})


class Recorder:
    """Makes the calls of one recording and keeps each answer under its snapshot key."""

    _ids = itertools.count(1)

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.role = sim.role_arn()
        self.account = self.role.split(":")[4]
        self.client = sim.client("lambda", config=Config(retries=_NO_RETRIES))
        # Two recordings turn SDK validation off so that out-of-range values reach AWS.
        self.unvalidated = sim.client(
            "lambda", config=Config(retries=_NO_RETRIES, parameter_validation=False)
        )
        self.answers: dict[str, Any] = {}
        self.request_ids: dict[str, str | None] = {}
        self.null_fields: list[str] = []
        for client in (self.client, self.unvalidated):
            client.meta.events.register("after-call.lambda", self._inspect_body)

    def name(self, prefix: str) -> str:
        """A fresh function name; the recordings' tests add a random suffix the same way."""
        return f"{prefix}-{next(self._ids):04d}"

    def record(self, key: str, call: Callable[[], Any]) -> Any:
        """Make a recorded call; its answer (or error) is kept as the SDK parsed it."""
        try:
            response = call()
        except ClientError as exc:
            answer: Any = _normalise(key, dict(exc.response), self)
        except ParamValidationError as exc:
            answer = str(exc)  # the SDK's own refusal; nothing reached the endpoint
        else:
            answer = _normalise(key, dict(response), self)
        self.answers[key] = answer
        return answer

    # --- the helpers the recording tests use (their polls are never recorded) --------------

    def create(self, key: str | None, name: str, *, helper: bool, **params: Any) -> Any:
        """F1 (helper-style: Timeout 30, Environment, Tags) or F2/F3 (exactly `params`), then wait."""
        if helper:
            params = {"Handler": "handler.handler", "Timeout": 30, "Tags": {}, **params}
            params.setdefault("Environment", {"Variables": {}})
        request = {"FunctionName": name, "Role": self.role, **params}
        if key is None:
            answer = self.client.create_function(**request)
        else:
            answer = self.record(key, lambda: self.client.create_function(**request))
        self.wait(name, lambda c: c["State"] != "Pending")
        return answer

    def wait(self, name: str, done: Callable[[dict[str, Any]], bool], qualifier: str | None = None) -> None:
        extra = {"Qualifier": qualifier} if qualifier else {}
        deadline = time.monotonic() + 10
        while True:
            try:
                config = self.client.get_function(FunctionName=name, **extra)["Configuration"]
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                    raise
                return  # the creation was refused: nothing to wait for
            if done(config):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} never reached the awaited state: {config}")
            time.sleep(0.01)

    def wait_updated(self, name: str, qualifier: str | None = None) -> None:
        self.wait(name, lambda c: c.get("LastUpdateStatus") == "Successful", qualifier)

    def wait_active(self, name: str, qualifier: str | None = None) -> None:
        self.wait(name, lambda c: c.get("State") == "Active", qualifier)

    def wait_provisioned(self, name: str, qualifier: str) -> None:
        """Poll until the config is READY; FAILED, or no config at all, ends the wait."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                got = self.client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
            except ClientError:
                return
            if got["Status"] in ("READY", "FAILED"):
                return
            time.sleep(0.01)
        raise AssertionError(f"provisioned concurrency of {name}:{qualifier} never became READY")

    def _inspect_body(self, http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
        """AWS omits unset fields; a JSON null anywhere in a reply body is a difference."""
        raw = http_response.content
        if not raw or not raw.lstrip().startswith(b"{"):
            return
        try:
            body = json.loads(raw)
        except ValueError:
            return
        for path in _nulls(body, ""):
            self.null_fields.append(f"{model.name}: {path}")


def _nulls(value: Any, path: str) -> list[str]:
    if value is None:
        return [path or "(body)"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}.{i}")]
    return []


def _normalise(key: str, response: dict[str, Any], recorder: Recorder) -> dict[str, Any]:
    """Keep what the recordings keep: the parsed body and the HTTP status, nothing of the transport."""
    meta = response.pop("ResponseMetadata", {})
    headers = meta.get("HTTPHeaders") or {}
    recorder.request_ids[key] = headers.get("x-amzn-requestid")
    response["ResponseMetadata"] = {"HTTPStatusCode": meta.get("HTTPStatusCode")}
    return response
