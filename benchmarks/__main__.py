"""``make bench``: every benchmark in turn, each printing its figure against a same-run baseline.

``python -m benchmarks`` runs the quick set (routing on an even spread of instances);
``python -m benchmarks --full`` runs every routing instance (about an hour on two cores).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _routing(kind: str, limit: int | None) -> list[str]:
    args = [
        "routing",
        "--kind",
        kind,
        "--instances",
        str(DATA / kind / "instances"),
        "--bks",
        str(DATA / kind / "bks.csv"),
        "--time-limit",
        "10",
    ]
    if limit is not None:
        args += ["--limit", str(limit)]
    return args


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--full", action="store_true", help="All routing instances.")
    parser.add_argument(
        "--only", nargs="*", default=None, help="Run only these benchmarks (module names)."
    )
    args = parser.parse_args(argv)
    runs: list[list[str]] = [
        ["assign"],
        ["matrix"],
        ["hotspots"],
        ["backtest", "--cell-size", "150"],
        ["forecast"],
        ["simulated"],
        ["plan"],
        ["presence"],
        ["planfile"],
        ["naming"],
        ["review"],
        ["service"],
        ["fuzz", "--cases", "10000"],
        ["warmstart"],
        ["large", "--time-limit", "60"],
        ["batch"],
        _routing("optw", None),
        _routing("top", None if args.full else 40),
    ]
    failed = 0
    for run in runs:
        if args.only and run[0] not in args.only:
            continue
        print(f"\n=== benchmarks.{run[0]} {' '.join(run[1:])}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"benchmarks.{run[0]}", *run[1:]])
        print(f"=== {run[0]}: exit {code} after {time.perf_counter() - started:.0f} s", flush=True)
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
