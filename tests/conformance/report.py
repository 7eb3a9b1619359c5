"""Print the conformance figure and every difference: `python -m tests.conformance.report [-v]`."""

from __future__ import annotations

import sys

from tests.conformance.suite import covering, exclusions_for, figure, run_all


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    outcomes = run_all()
    for name, outcome in outcomes.items():
        failures = outcome.failures()
        matched = len(outcome.checks) - len(failures)
        print(f"{'ok  ' if not failures else 'DIFF'} {name}: {matched}/{len(outcome.checks)}")
        if outcome.stopped:
            print(f"     replay stopped: {outcome.stopped}")
        for check in failures:
            excluded = any(covering(e, check) for e in exclusions_for(name))
            if verbose or not excluded:
                mark = "excluded" if excluded else "DIFF"
                print(f"     {mark} {check.key} {check.path}: {check.detail}")
    print(figure(outcomes).line())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
