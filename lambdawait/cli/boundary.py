"""One place that turns every failure into its one-line error, JSON document and exit code.

Used by every command (the Typer ones, the fast `wait` path, `demo`, `sim serve`) and by the entry
point's usage errors (`fail`); the exit code is always the error's own, from the one table
(core.errors.OUTCOME_EXIT_CODES). Typer-free, so the fast path shares it; the process exits with
SystemExit(code).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from lambdawait.core.errors import InternalError, LambdawaitError
    from lambdawait.output.render import Output

# 128 + SIGPIPE: what a shell reports for a writer whose reader went away (`yes | head -1`).
BROKEN_PIPE_EXIT = 141
# True once a command's own signal handling is in place. The entry point's startup handler (see
# __main__) exits 130 only before that: afterwards a result may already be out, and it stands.
started = False


@contextmanager
def command(name: str, output: Output) -> Iterator[float]:
    """Turn every failure into its one-line error and exit code; Ctrl-C exits 130."""
    import botocore.exceptions

    from lambdawait.core.errors import AwsError, ConfigurationError, LambdawaitError
    from lambdawait.core.signals import command_scope

    global started
    start = time.monotonic()
    with command_scope():
        started = True
        try:
            yield start
        except LambdawaitError as err:
            fail(output, name, err, start)
        except botocore.exceptions.NoCredentialsError as exc:
            hint = "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            fail(output, name, ConfigurationError("no AWS credentials found", hint=hint), start, exc)
        except botocore.exceptions.NoRegionError as exc:
            hint = "set AWS_REGION or pass --region"
            fail(output, name, ConfigurationError("no AWS region configured", hint=hint), start, exc)
        except botocore.exceptions.ClientError as exc:
            from lambdawait.core.errors import translate_client_error

            fail(output, name, translate_client_error(exc, action=name), start, exc)
        except botocore.exceptions.BotoCoreError as exc:
            fail(output, name, AwsError(str(exc), hint="check --endpoint-url and the network"), start, exc)
        except KeyboardInterrupt:
            # Interrupted where no cleanup was needed: still exactly one JSON document in JSON mode.
            from lambdawait.core.errors import InterruptedError_

            hint = "re-run when ready; `lambdawait status` shows where things were left"
            fail(output, name, InterruptedError_("interrupted", hint=hint), start)
        except BrokenPipeError:
            # The commands' own streams never raise it; the demo's direct output does when its
            # reader left (`lambdawait demo | head`): quietly, as a shell reports it (Click would
            # make it exit 1).
            from lambdawait.output.streams import silence

            silence(sys.stdout)
            raise SystemExit(BROKEN_PIPE_EXIT) from None
        except Exception as exc:
            fail(output, name, _internal_error(output, exc), start, exc)


def _internal_error(output: Output, exc: Exception) -> InternalError:
    """A bug is neither "the function failed" (1) nor "AWS said no" (4): its own outcome and exit 70,
    one line, and the traceback only when asked for."""
    from lambdawait.core.errors import InternalError

    if output.verbose:
        import traceback

        output.log(traceback.format_exc().rstrip())
    return InternalError(
        f"internal error: {type(exc).__name__}: {exc}",
        hint="a lambdawait bug; re-run with --verbose for the traceback and report it",
    )


def fail(
    output: Output,
    name: str,
    err: LambdawaitError,
    start: float | None = None,
    cause: BaseException | None = None,
) -> NoReturn:
    """Print `err` (its line, or its document in JSON mode) and exit with its exit code."""
    from lambdawait.output.documents import error_document

    elapsed = 0.0 if start is None else time.monotonic() - start
    output.error(err, error_document(name, err, elapsed))
    raise SystemExit(int(err.exit_code)) from cause
