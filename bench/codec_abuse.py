"""How long the OTA codec takes to refuse each XML attack and broken body, and the 10 MB one; prints JSON.

    python bench/codec_abuse.py [--rounds 200]

The attacks are those of tests/unit/ota/xml_attacks.py; test_ota_codec_abuse.py beside it asserts
what each refusal is; this script measures what the tests must not: the CPU time a refusal costs
(median and worst of `rounds`). A refusal that takes milliseconds instead of microseconds means an
entity was expanded or a DTD fetched before the DOCTYPE check.
"""

import argparse
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit" / "ota"))


from xml_attacks import ATTACKS, MAX_BYTES

from connectors.ota.codec import read_request
from connectors.ota.errors import MalformedMessage


def cpu_ms(body: bytes, rounds: int) -> dict[str, float]:
    """Median and worst CPU milliseconds of refusing `body`."""
    times = []
    for _ in range(rounds):
        started = time.process_time()
        with contextlib.suppress(MalformedMessage):
            read_request(body, max_bytes=MAX_BYTES)
        times.append((time.process_time() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 4), "max_ms": round(max(times), 4)}


def main() -> None:
    """Measure every attack and print one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    attacks = {**ATTACKS, "body_10_mb": b"<a>" + b"x" * (10 * 1024 * 1024) + b"</a>"}
    figures = {name: cpu_ms(body, args.rounds) for name, body in attacks.items()}
    print(json.dumps({"rounds": args.rounds, "refusals": figures}, indent=2))


if __name__ == "__main__":
    main()
