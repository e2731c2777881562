"""Time programs of N MacieS3Resources under Pulumi's mocks: both SDKs and the bare-CustomResource floor.

    python scripts/mock_scale.py [--sizes 1000,2000,5000] [--sdks dynamic,native,floor] [--repeats 1] [--no-gc]

Each program is tests/mock_program.py's, run in a fresh interpreter per size (the best of REPEATS).
Prints, per program and size: the subprocess's wall time, its CPU time, the CPU milliseconds per
resource over the program's start-up (the same program with no resource: interpreter, imports, mocks;
CPU time, which a busy machine disturbs far less than wall time) and that per-resource time as a ratio
of the smallest size's: about 1 at every size is time linear in N.
With --no-gc, each program also runs with Python's garbage collector off (rows marked ``no-gc``): the
program's own work, without the full collections that walk every object Pulumi holds (a measurement,
not advice).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mock_program import PROGRAM, SDKS  # noqa: E402


def run(sdk: str, count: int, gc: bool = True) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the program of ``count`` resources on ``sdk``, in a fresh interpreter
    (with the garbage collector off unless ``gc``)."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(count), sdk, *([] if gc else ["nogc"])],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{sdk} with {count} resources failed:\n{done.stderr[-3000:]}")
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    if seen["registered"] != count or seen["ids"] != count:
        raise SystemExit(f"{sdk} with {count} resources registered {seen['registered']}, {seen['ids']} IDs")
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return wall, cpu


def best(sdk: str, count: int, repeats: int, gc: bool = True) -> tuple[float, float]:
    """The fastest of ``repeats`` runs (the one least disturbed by the machine's other work)."""
    return min((run(sdk, count, gc) for _ in range(repeats)), key=lambda times: times[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,2000,5000", help="comma-separated resource counts")
    parser.add_argument("--sdks", default=",".join(SDKS), help=f"comma-separated, of {', '.join(SDKS)}")
    parser.add_argument("--repeats", type=int, default=1, help="runs per size; the fastest is reported")
    parser.add_argument("--no-gc", action="store_true", help="also run each with the garbage collector off")
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    sdks = args.sdks.split(",")
    if unknown := set(sdks) - set(SDKS):
        parser.error(f"unknown SDK {', '.join(sorted(unknown))}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, best of {args.repeats}")
    print(f"{'program':8} {'N':>6} {'wall s':>7} {'cpu s':>7} {'cpu ms/res':>7} {'ratio':>6}")
    for sdk in sdks:
        start_wall, start_up = best(sdk, 0, args.repeats)
        print(f"{sdk:8} {0:>6} {start_wall:>7.2f} {start_up:>7.2f} {'':>7} {'':>6}  (start-up)")
        for gc in (True, False) if args.no_gc else (True,):
            first = None
            for count in sizes:
                wall, cpu = best(sdk, count, args.repeats, gc)
                per = (cpu - start_up) / count * 1000
                first = first or per
                print(
                    f"{sdk:8} {count:>6} {wall:>7.2f} {cpu:>7.2f} {per:>7.2f} {per / first:>6.2f}"
                    + ("" if gc else "  no-gc"),
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
