"""A worker process for the crash tests: runs the RabbitMQ transport until SIGTERM (or its fault kill).

Usage: python rabbit_worker.py <broker_url> <database_url> [<message type to die after>]
"""

from __future__ import annotations

import asyncio
import signal
import sys

from rabbit_harness import record_effect, settings_for, table_with

from hub.db import create_engine
from routes.rabbit.transport import RabbitTransport


async def main(broker_url: str, database_url: str, kill_after: str | None) -> None:
    """Start the transport, say so on stdout, stop cleanly on SIGTERM."""
    settings = settings_for(broker_url, database_url, fault_kill_after_commit=kill_after)
    engine = create_engine(database_url, pool_size=5)
    transport = RabbitTransport(settings, engine, table_with(record_effect))
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    await transport.start()
    print("ready", flush=True)
    await stopping.wait()
    await transport.stop()
    await engine.dispose()
    print("stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
