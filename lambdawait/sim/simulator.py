"""The Simulator: moto plus lambdawait's Lambda lifecycle, served over real HTTP on one port."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload

from lambdawait.sim.lifecycle import Event
from lambdawait.sim.scenario import Faults, Scenario, parse_faults

if TYPE_CHECKING:
    import boto3
    import botocore.session
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_lambda import LambdaClient
    from werkzeug.serving import BaseWSGIServer

    from lambdawait.sim.app import SimApp

REGION = "us-east-1"
ACCESS_KEY = "testing"

# moto keeps its backends in process-global state, so two live simulators would share (and
# reset) each other's functions. Guard against it instead of failing mysteriously.
_active_lock = threading.Lock()
_active: Simulator | None = None
# One botocore session for every Simulator in the process: it caches the parsed service
# models, which makes a client cost ~3 ms instead of ~100 ms. Credentials are per boto3 Session.
_botocore_session: botocore.session.Session | None = None


class SimulatorBusyError(RuntimeError):
    """Another Simulator is already running in this process."""


class Simulator:
    """A running simulated AWS endpoint; use as a context manager, one per process at a time."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = REGION,
    ) -> None:
        self.scenario = scenario or Scenario()
        self.host = host
        self.port = port
        self.region = region
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._app: SimApp | None = None
        self._role_arn: str | None = None
        self._session: boto3.session.Session | None = None
        self._clients: dict[str, object] = {}

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> Simulator:
        global _active
        with _active_lock:
            if _active is not None:
                raise SimulatorBusyError(
                    "a Simulator is already running in this process; stop it first "
                    "(moto's state is process-global)"
                )
            _active = self
        try:
            self._start()
        except BaseException:
            self._release()
            raise
        return self

    def _start(self) -> None:
        from werkzeug.serving import make_server

        from lambdawait.sim import moto_bridge
        from lambdawait.sim.app import SimApp

        moto_bridge.reset()
        self._app = SimApp(moto_bridge.dispatcher(), self.scenario)
        self._role_arn = moto_bridge.ensure_role()
        self._server = make_server(
            self.host,
            self.port,
            self._app,
            threaded=True,
            request_handler=moto_bridge.request_handler(),
        )
        self.port = self._server.server_port
        server = self._server
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.02),
            name="lambdawait-sim",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        self._release()

    def _release(self) -> None:
        global _active
        with _active_lock:
            if _active is self:
                _active = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # --- connecting ------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        # A wildcard bind address is not something a client can connect to.
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment variables that point any AWS SDK or the aws CLI at the simulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    # A service without installed boto3-stubs is typed as boto3-stubs type it: not at all.
    @overload
    def client(self, service: Literal["lambda"], **kwargs: object) -> LambdaClient: ...
    @overload
    def client(self, service: Literal["cloudwatch"], **kwargs: object) -> CloudWatchClient: ...
    @overload
    def client(self, service: str, **kwargs: object) -> Any: ...

    def client(self, service: str, **kwargs: object) -> object:
        """A boto3 client bound to the simulator; kwargs go to `Session.client` (e.g. config).

        Clients without kwargs are cached per service: building one costs tens of ms.
        """
        import boto3

        cacheable = not kwargs
        if cacheable and service in self._clients:
            return self._clients[service]

        if self._session is None:
            # Explicit fake credentials: the user's real ones are never picked up.
            self._session = boto3.session.Session(
                aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key=ACCESS_KEY,
                region_name=self.region,
                botocore_session=_shared_botocore_session(),
            )
        kwargs.setdefault("region_name", self.region)
        # boto3-stubs type Session.client per literal service name; this one takes any name (and
        # any of its keywords), and boto3 checks them at run time.
        create: Callable[..., object] = self._session.client
        client = create(service, endpoint_url=self.endpoint, **kwargs)
        if cacheable:
            self._clients[service] = client
        return client

    def role_arn(self) -> str:
        if self._role_arn is None:
            raise RuntimeError("the Simulator is not running")
        return self._role_arn

    # --- observing and steering ------------------------------------------------------------

    def _running_app(self) -> SimApp:
        if self._app is None:
            raise RuntimeError("the Simulator is not running")
        return self._app

    def calls(self) -> dict[str, int]:
        return self._running_app().call_log.calls()

    def mutating_calls(self) -> int:
        return self._running_app().call_log.mutating()

    def lost_replies(self) -> dict[str, int]:
        """Calls carried out whose reply was then lost (closed connection or 502), by operation."""
        return self._running_app().call_log.tally("lost")

    def throttled_calls(self) -> dict[str, int]:
        """Calls refused with 429 by the account's request quotas (not injected throttles)."""
        return self._running_app().call_log.tally("throttled")

    def faulted_calls(self) -> dict[str, int]:
        """Calls answered with an injected throttle or server error instead of being carried out."""
        return self._running_app().call_log.tally("faulted")

    def reset_calls(self) -> None:
        self._running_app().call_log.reset()

    def events(self) -> list[Event]:
        return self._running_app().events()

    def set_scenario(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._running_app().set_scenario(scenario)

    def set_faults(self, faults: Faults | Mapping[str, object] | None = None, **keys: object) -> None:
        """Replace the running scenario's faults (a Faults, a `[faults]` dict, or its keys).

        Their random draws and `lost_reply_calls` ordinals start over from here, e.g.
        `sim.set_faults(lost_reply_calls={"UpdateAlias": [2]})` loses the next-but-one
        UpdateAlias's reply. `sim.set_faults()` clears every fault.
        """
        if faults is None or isinstance(faults, Mapping):
            faults = parse_faults({**(faults or {}), **keys})
        elif keys:
            raise TypeError("pass either a Faults or keyword keys, not both")
        self.scenario = dataclasses.replace(self.scenario, faults=faults)
        self._running_app().set_faults(faults)

    def deactivate(self, function_name: str) -> None:
        """Make an Active function Inactive (Idle) now, as AWS does after weeks without use."""
        self._running_app().deactivate(function_name, self.region)


def _shared_botocore_session() -> botocore.session.Session:
    global _botocore_session
    import botocore.session

    with _active_lock:
        if _botocore_session is None:
            _botocore_session = botocore.session.get_session()
        return _botocore_session
