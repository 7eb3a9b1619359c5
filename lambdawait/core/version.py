"""The version line: lambdawait's own version, Python's and botocore's (what a bug report needs first).

Kept free of heavy imports: `--version` is what scripts probe most.
"""

from __future__ import annotations

import os
import sys

__all__ = ["version_line"]


def version_line() -> str:
    """`lambdawait 0.1.0 (Python 3.11.7, botocore 1.44.8)`: what a bug report needs first."""
    from lambdawait import __version__

    python = "{}.{}.{}".format(*sys.version_info[:3])
    return f"lambdawait {__version__} (Python {python}, botocore {_botocore_version()})"


def _botocore_version() -> str:
    # Read from botocore's own source: importing botocore or importlib.metadata costs 20-60 ms, and
    # `--version` is what scripts probe most. The metadata is the fallback for unusual installs.
    for entry in sys.path:
        try:
            with open(os.path.join(entry or ".", "botocore", "__init__.py"), encoding="utf-8") as source:
                for line in source:
                    if line.startswith("__version__ ="):
                        return line.split("=", 1)[1].strip().strip("'\"")
        except OSError:
            continue
    try:
        from importlib.metadata import version

        return version("botocore")
    except Exception:  # a version line must never fail
        return "not installed"
