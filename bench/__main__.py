"""Run every `bench/bench_*.py` module in turn, each in a process of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    modules = sorted(p.stem for p in here.glob("bench_*.py"))
    failed = []
    for name in modules:
        print(f"\n<!-- bench.{name} -->", flush=True)
        done = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=here.parent)
        if done.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
