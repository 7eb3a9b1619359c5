"""lambdawait: safe-to-script AWS Lambda deployments, as a library.

The command line is one client of this API. Everything here is loaded on first use, so that
`lambdawait --version` and the fast `wait` path stay fast:

    from lambdawait import Clients, ConnectionOptions, Waiter, WaitRequest, Target
    clients = Clients(ConnectionOptions(region="eu-west-1"))
    result = Waiter(clients.polling_lambda()).wait(WaitRequest("orders-api", None, Target.READY), 300)

Layers (see the README's Architecture section): `cli` → `app` → `aws` | `output` → `core`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module that defines it
_API = {
    # connecting
    "Clients": "lambdawait.aws.clients",
    "ConnectionOptions": "lambdawait.aws.clients",
    # waiting
    "Waiter": "lambdawait.aws.waiter",
    "WaitRequest": "lambdawait.aws.waiter",
    "Target": "lambdawait.core.acceptors",
    "WaitResult": "lambdawait.core.models",
    "WaitOutcome": "lambdawait.core.models",
    "FunctionStatus": "lambdawait.core.models",
    "AliasInfo": "lambdawait.core.models",
    # deploying, publishing, shifting, rolling back
    "FunctionSpec": "lambdawait.core.spec",
    "build_spec": "lambdawait.core.spec",
    "Deployer": "lambdawait.aws.deploy",
    "plan_deploy": "lambdawait.core.plan",
    "publish_version": "lambdawait.aws.publish",
    "Shifter": "lambdawait.aws.shift",
    "ShiftRequest": "lambdawait.aws.shift",
    "ShiftResult": "lambdawait.aws.shift",
    "parse_strategy": "lambdawait.core.strategy",
    "schedule": "lambdawait.core.strategy",
    "Gates": "lambdawait.aws.gates",
    "GateSpec": "lambdawait.aws.gates",
    "rollback": "lambdawait.aws.rollback",
    "RollbackResult": "lambdawait.aws.rollback",
    # errors: each carries its exit code, a hint and the AWS reason code
    "ExitCode": "lambdawait.core.errors",
    "LambdawaitError": "lambdawait.core.errors",
    "UsageError": "lambdawait.core.errors",
    "TargetFailedError": "lambdawait.core.errors",
    "WaitTimeoutError": "lambdawait.core.errors",
    "AwsError": "lambdawait.core.errors",
    "ConflictError": "lambdawait.core.errors",
    "NotFoundError": "lambdawait.core.errors",
    "RolledBackError": "lambdawait.core.errors",
    "AliasSplitError": "lambdawait.core.errors",
    "InterruptedError_": "lambdawait.core.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'lambdawait' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
