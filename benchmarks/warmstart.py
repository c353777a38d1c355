"""Start-up and warm starts: ``gridpatrol --help`` and ``gridpatrol hotspots`` on Portland.

``--help`` is timed against a bare ``python -c pass`` (the interpreter's own start); the
second (warm) run of ``gridpatrol hotspots`` on the Portland sample against the first (cold)
one, each a fresh process with the caches (street networks, validated risk) in an empty
temporary folder (``GRIDPATROL_CACHE_DIR``); the warm and ``--no-cache`` runs' files must be
byte-identical to the cold run's. The cold figure is the median of several runs, each with an
empty cache of its own. The project's modules are compiled to bytecode first and the runs may
write it (``PYTHONDONTWRITEBYTECODE`` is dropped), as with a package that pip installed: a
sandbox that forbids bytecode would otherwise add the compilation of ~100 modules to every run.
CPU seconds are printed too: on a loaded machine they are the figure that holds.
Targets: help <= 0.5 s wall; warm <= 0.2x cold and <= 3 s.
Run: ``python -m benchmarks.warmstart [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GRIDPATROL = [sys.executable, "-c", "from api.cli import main; main()"]


#: CPU seconds (user + system) of each child measured, by command, to tell a slow program
#: from a busy machine.
CPU: dict[str, list[float]] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wall(argv: list[str], env: dict[str, str], label: str = "") -> float:
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    CPU.setdefault(label or argv[-1], []).append(_children_cpu() - cpu)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[3:])} failed ({done.returncode}): {done.stderr[-800:]}")
    return wall


def run(repeat: int = 5) -> list[str]:
    """Measure and return the printed lines."""
    lines = []
    with tempfile.TemporaryDirectory(prefix="gridpatrol-bench-") as tmp:
        env = {**os.environ, "GRIDPATROL_CACHE_DIR": str(Path(tmp) / "cache")}
        env.pop("GRIDPATROL_NO_CACHE", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        repo = Path(__file__).resolve().parents[1]
        packages = [str(repo / name) for name in ("api", "geo", "planner", "maps")]
        subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], env=env, check=True)
        bare = statistics.median(_wall([sys.executable, "-c", "pass"], env) for _ in range(repeat))
        help_s = statistics.median(_wall([*GRIDPATROL, "--help"], env) for _ in range(repeat))
        help_cpu = statistics.median(CPU["--help"])
        lines.append(
            f"gridpatrol --help: {help_s:.3f} s wall (median of {repeat}; {help_cpu:.3f} s CPU) "
            f"vs bare interpreter {bare:.3f} s: {help_s / bare:.1f}x; target <= 0.5 s: "
            f"{'met' if help_s <= 0.5 else 'NOT met'}"
        )

        def hotspots(run: str) -> list[str]:
            out = Path(tmp) / run
            return [*GRIDPATROL, "hotspots", "--sample", "portland-central", "--out", str(out)]

        colds = []
        for k in range(max(1, repeat // 2)):
            # each cold run starts from an empty cache of its own; the last one's is kept warm
            env["GRIDPATROL_CACHE_DIR"] = str(Path(tmp) / f"cache-{k}")
            colds.append(_wall(hotspots("cold"), env, "cold"))
        cold = statistics.median(colds)
        warm = statistics.median(
            _wall(hotspots("warm"), env, "warm") for _ in range(max(1, repeat // 2))
        )
        no_cache = _wall([*GRIDPATROL, "--no-cache", *hotspots("no-cache")[3:]], env, "no-cache")
        same = all(
            (Path(tmp) / "cold" / name).read_bytes() == (Path(tmp) / run / name).read_bytes()
            for run in ("warm", "no-cache")
            for name in ("hotspots.csv", "hotspots.geojson")
        )
        ratio = warm / cold
        cold_cpu, warm_cpu = statistics.median(CPU["cold"]), statistics.median(CPU["warm"])
        plain_cpu = CPU["no-cache"][0]
        lines.append(
            f"gridpatrol hotspots (Portland): warm {warm:.2f} s vs cold {cold:.2f} s wall "
            f"(medians of {len(colds)} cold and {len(CPU['warm'])} warm runs): "
            f"{ratio:.2f}x (CPU {warm_cpu:.1f} s vs {cold_cpu:.1f} s: {warm_cpu / cold_cpu:.2f}x; "
            f"--no-cache {no_cache:.2f} s wall, {plain_cpu:.1f} s CPU); target warm <= 0.2x cold "
            f"and <= 3 s: {'met' if ratio <= 0.2 and warm <= 3 else 'NOT met'}; outputs of the "
            f"warm and --no-cache runs {'identical to' if same else 'DIFFER from'} the cold "
            f"run's; load average {os.getloadavg()[0]:.1f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.warmstart", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    for line in run(args.repeat):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
