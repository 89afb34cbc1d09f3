"""How long `hotelhub demo` takes end to end on this machine (a fresh SQLite hub, two partners); prints JSON.

    python bench/demo.py [--bookings 8] [--runs 3]

tests/e2e/test_demo.py checks that the demo adds up; how long it takes is measured here, not asserted
there. The figure to watch is `max_s` against the half-minute a first-time user is willing to wait.
"""

import argparse
import asyncio
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from rich.console import Console

from hub.demo.run import run_demo


async def one_run(bookings: int) -> tuple[float, int]:
    """Seconds one demo took, and its exit code."""
    console = Console(file=io.StringIO(), width=160, force_terminal=False, color_system=None)
    started = time.perf_counter()
    code = await run_demo(console, bookings_per_partner=bookings)
    return time.perf_counter() - started, code


def main() -> None:
    """Run the demo `runs` times and print the durations as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [asyncio.run(one_run(args.bookings)) for _ in range(args.runs)]
    seconds = [round(s, 2) for s, _ in runs]
    print(
        json.dumps(
            {
                "bookings_per_partner": args.bookings,
                "seconds": seconds,
                "max_s": max(seconds),
                "exit_codes": [code for _, code in runs],
            }
        )
    )


if __name__ == "__main__":
    main()
