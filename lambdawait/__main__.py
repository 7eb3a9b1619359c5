"""Entry point for `lambdawait` and `python -m lambdawait`."""

from __future__ import annotations

import sys


def main() -> None:
    # `--version` is what scripts probe most; answer it without importing Typer, Rich or boto3.
    if sys.argv[1:] == ["--version"]:
        from lambdawait import __version__

        sys.stdout.write(f"lambdawait {__version__}\n")
        return
    from lambdawait.cli import app

    app(prog_name="lambdawait")


if __name__ == "__main__":
    main()
