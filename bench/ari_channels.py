"""Push-channel simulators for bench/ari.py, in a process of their own: N channels, each on a free port.

Run by bench/ari.py (`python -m bench.ari_channels --count 10`), never by hand. The first line on
standard output is a JSON list of base URLs. Commands come one a line on standard input:
`record` (keep every rate cell's receipt times from now on), `reset` (forget what was received),
`dump PATH` (write calls, stats and receipts of every channel to PATH as JSON), `quit`; each is
answered `ok` on standard output. The channels' CPU is theirs, not the hub's: that is why they run
apart from the process that measures the hub. The process exits when its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections import defaultdict
from typing import Any

from connectors.ota.simulator import PushChannel, serving
from connectors.ota.simulator.channel import Handled
from connectors.ota.simulator.items import read_items
from connectors.ota.simulator.wire import Received


class RecordingChannel(PushChannel):
    """A push channel that can note, per rate cell, the wall-clock time of every receipt."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.recording = False
        self.receipts: dict[str, list[float]] = defaultdict(list)

    def handle(self, received: Received, refuse: tuple[Any, ...]) -> Handled:
        """Fold as the simulator does; note the receipt of every rate night it applied."""
        handled = super().handle(received, refuse)
        if self.recording:
            at = time.time()
            for item in read_items(received.message):
                if item.error is None:
                    for nights, _ in item.rates:
                        for night in nights:
                            key = f"{item.room_type}|{item.rate_plan}|{night.isoformat()}"
                            self.receipts[key].append(at)
        return handled

    def report(self) -> dict[str, Any]:
        """What this channel received: counters, every call's arrival, size and cells, receipts."""
        calls = [
            {"at": c.at, "message": c.message, "bytes": c.size, "cells": c.cells, "outcome": c.outcome}
            for c in self.calls
        ]
        return {"stats": self.stats(), "calls": calls, "receipts": dict(self.receipts)}


async def main(count: int) -> None:
    """Serve `count` channels until standard input closes or says `quit`."""
    channels = [
        RecordingChannel(username="hub", password="bench-secret", clock=time.time) for _ in range(count)
    ]
    async with contextlib.AsyncExitStack() as stack:
        urls = [await stack.enter_async_context(serving(ch.app)) for ch in channels]
        print(json.dumps(urls), flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := (await reader.readline()).decode().strip():
            command, _, arg = line.partition(" ")
            if command == "quit":
                break
            if command == "record":
                for ch in channels:
                    ch.recording = True
            elif command == "reset":
                for ch in channels:
                    ch.reset()
                    ch.receipts.clear()
            elif command == "dump":
                with open(arg, "w", encoding="utf-8") as out:
                    json.dump([ch.report() for ch in channels], out, default=str)
            print("ok", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10)
    asyncio.run(main(parser.parse_args().count))
