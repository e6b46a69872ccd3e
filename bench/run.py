"""Run every bench/bench_*.py in turn: `.venv/bin/python bench/run.py` (or `make bench`).

Extra arguments are passed to each benchmark (e.g. `--runs 3`). Exits non-zero when
a benchmark fails; the figures themselves are never judged here.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    failed = []
    scripts = sorted(BENCH.glob("bench_*.py"))
    for script in scripts:
        print(f"== {script.relative_to(BENCH.parent)}", flush=True)
        start = time.perf_counter()
        status = subprocess.run([sys.executable, str(script), *argv], cwd=BENCH.parent).returncode
        print(f"== {script.name}: exit {status} after {time.perf_counter() - start:.1f} s\n", flush=True)
        if status != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
