"""A small stateful Lambda double for Deployer / publish unit tests (no HTTP, no real time)."""

from __future__ import annotations

import random
from typing import Any

from botocore.exceptions import ClientError

from lambdawait.aws.waiter import Waiter
from lambdawait.core.clock import RateLimiter
from tests.fakes import FakeClock, LambdaDouble

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"


def error(code: str, message: str = "boom", status: int = 400, retries: int = 0) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {
                "RequestId": "req-1",
                "HostId": "",
                "HTTPStatusCode": status,
                "HTTPHeaders": {},
                "RetryAttempts": retries,
            },
        },
        "Op",
    )


class FakeLambda(LambdaDouble):
    """$LATEST with a RevisionId; each update stays InProgress for `busy_polls` reads, then lands.

    `fail_next` makes the next update end Failed (the previous configuration is kept, as Lambda
    does); `raise_on[op]` is a list of exceptions raised by the next calls of that operation.
    """

    def __init__(self, config: dict[str, Any] | None = None, *, busy_polls: int = 1) -> None:
        self.config = config
        self.tags: dict[str, str] = {}
        self.busy_polls = busy_polls
        self.remaining = 0
        self.fail_next = False
        self.failing = False
        self.previous: dict[str, Any] | None = None
        self.revision = 0
        self.raise_on: dict[str, list[BaseException]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.versions: list[dict[str, Any]] = []
        self.version_busy_polls = 0
        self.version_outcome = "Active"

    # --- helpers --------------------------------------------------------------------------
    def _bump(self) -> None:
        self.revision += 1
        assert self.config is not None
        self.config["RevisionId"] = f"rev-{self.revision}"

    def _record(self, op: str, kwargs: dict[str, Any]) -> None:
        self.calls.append((op, kwargs))
        queue = self.raise_on.get(op)
        if queue:
            raise queue.pop(0)

    def mutating(self) -> list[str]:
        return [op for op, _ in self.calls if not op.startswith(("get", "list"))]

    def _start_update(self, changes: dict[str, Any]) -> dict[str, Any]:
        assert self.config is not None
        if self.config.get("LastUpdateStatus") == "InProgress":
            raise error("ResourceConflictException", "An update is in progress for resource: " + ARN, 409)
        self.previous = dict(self.config)
        self.config.update(changes)
        self.config["LastUpdateStatus"] = "InProgress"
        self.remaining = self.busy_polls
        self.failing, self.fail_next = self.fail_next, False
        self._bump()
        return dict(self.config)

    def _check_revision(self, kwargs: dict[str, Any]) -> None:
        assert self.config is not None
        given = kwargs.get("RevisionId")
        if given is not None and given != self.config["RevisionId"]:
            raise error("PreconditionFailedException", "The Revision Id provided does not match", 412)

    # --- the API --------------------------------------------------------------------------
    def get_function(self, **kwargs: Any) -> dict[str, Any]:
        self._record("get_function", kwargs)
        if self.config is None:
            raise error("ResourceNotFoundException", "Function not found: " + ARN, 404)
        qualifier = kwargs.get("Qualifier")
        if qualifier:
            version = self.versions[int(qualifier) - 1]
            if version["State"] == "Pending":
                version["_polls"] -= 1
                if version["_polls"] < 0:
                    version["State"] = self.version_outcome
                    if self.version_outcome == "Failed":
                        version["StateReasonCode"] = "SnapStartNotReady"
                        version["StateReason"] = "simulated"
            return {"Configuration": {k: v for k, v in version.items() if not k.startswith("_")}}
        if self.config.get("State") == "Pending" or self.config.get("LastUpdateStatus") == "InProgress":
            if self.remaining > 0:
                self.remaining -= 1
            else:
                self.config["State"] = "Active"
                if self.failing and self.previous is not None:
                    self.config = {**self.previous, "LastUpdateStatus": "Failed"}
                    self.config["LastUpdateStatusReasonCode"] = "EniLimitExceeded"
                    self.config["LastUpdateStatusReason"] = "simulated ENI limit"
                else:
                    self.config["LastUpdateStatus"] = "Successful"
                self._bump()
        return {"Configuration": dict(self.config), "Tags": dict(self.tags), "Code": {}}

    def create_function(self, **kwargs: Any) -> dict[str, Any]:
        self._record("create_function", kwargs)
        self.config = {
            "FunctionName": kwargs["FunctionName"],
            "FunctionArn": ARN,
            "State": "Pending",
            "StateReasonCode": "Creating",
            "Version": "$LATEST",
            "CodeSha256": _sha(kwargs["Code"]),
            "Architectures": kwargs.get("Architectures", ["x86_64"]),
            **{k: v for k, v in kwargs.items() if k not in ("Code", "Tags", "Publish", "FunctionName")},
        }
        self.tags = dict(kwargs.get("Tags") or {})
        self.remaining = self.busy_polls
        self._bump()
        return dict(self.config)

    def update_function_code(self, **kwargs: Any) -> dict[str, Any]:
        self._record("update_function_code", kwargs)
        self._check_revision(kwargs)
        changes: dict[str, Any] = {"CodeSha256": _sha(kwargs)}
        if "Architectures" in kwargs:
            changes["Architectures"] = kwargs["Architectures"]
        return self._start_update(changes)

    def update_function_configuration(self, **kwargs: Any) -> dict[str, Any]:
        self._record("update_function_configuration", kwargs)
        self._check_revision(kwargs)
        changes = {k: v for k, v in kwargs.items() if k not in ("FunctionName", "RevisionId")}
        return self._start_update(changes)

    def tag_resource(self, **kwargs: Any) -> dict[str, Any]:
        self._record("tag_resource", kwargs)
        self.tags.update(kwargs["Tags"])
        self._bump()
        return {}

    def list_versions_by_function(self, **kwargs: Any) -> dict[str, Any]:
        self._record("list_versions_by_function", kwargs)
        assert self.config is not None
        public = [{k: v for k, v in ver.items() if not k.startswith("_")} for ver in self.versions]
        return {"Versions": [{**self.config, "Version": "$LATEST"}, *public]}

    def get_paginator(self, operation: str) -> Any:
        assert operation == "list_versions_by_function"
        fake = self

        class Paginator:
            def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                return [fake.list_versions_by_function(**kwargs)]

        return Paginator()

    def publish_version(self, **kwargs: Any) -> dict[str, Any]:
        self._record("publish_version", kwargs)
        assert self.config is not None
        if self.config.get("LastUpdateStatus") == "InProgress":
            raise error("ResourceConflictException", "An update is in progress for resource: " + ARN, 409)
        self._check_revision(kwargs)
        sha = kwargs.get("CodeSha256")
        if sha is not None and sha != self.config["CodeSha256"]:
            raise error(
                "InvalidParameterValueException",
                f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST "
                f"({self.config['CodeSha256']}). Please try again with the current CodeSHA256.",
            )
        version = {
            "FunctionName": self.config["FunctionName"],
            "Version": str(len(self.versions) + 1),
            "CodeSha256": self.config["CodeSha256"],
            "State": "Pending" if self.version_busy_polls else self.version_outcome,
            "LastUpdateStatus": "Successful",
            "RevisionId": f"ver-{len(self.versions) + 1}",
            "_polls": self.version_busy_polls,
        }
        self.versions.append(version)
        self._bump()
        return {k: v for k, v in version.items() if not k.startswith("_")}


def _sha(code: dict[str, Any]) -> str:
    from lambdawait.core.package import code_sha256

    if "ZipFile" in code:
        return code_sha256(code["ZipFile"])
    return "remote-" + str(code.get("S3Key") or code.get("ImageUri"))


def active(sha: str = "old-sha", **extra: Any) -> dict[str, Any]:
    """An Active, Successful $LATEST configuration."""
    return {
        "FunctionName": "fn",
        "FunctionArn": ARN,
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "Version": "$LATEST",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Role": "arn:aws:iam::123456789012:role/r",
        "MemorySize": 128,
        "Timeout": 3,
        "CodeSha256": sha,
        "Architectures": ["x86_64"],
        "RevisionId": "rev-0",
        **extra,
    }


def waiter(client: FakeLambda, clock: FakeClock | None = None) -> Waiter:
    clock = clock or FakeClock()
    return Waiter(
        client,
        clock=clock,
        limiter=RateLimiter(1000, clock),
        rng=random.Random(1),
    )
