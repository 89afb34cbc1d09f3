"""`python -m connectors.ota.simulator push|pull …`: one simulated channel as its own process.

It prints one line, `listening on http://HOST:PORT`, once it accepts requests, and exits when its
parent dies or after --max-lifetime seconds. This process is a stand-in for a partner, not part of
the hub: it reads its one password from the environment variable it is told, as a partner's server
would read its own configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from connectors.ota.simulator.behaviour import AuthFailure
from connectors.ota.simulator.channel import SimulatedChannel
from connectors.ota.simulator.pull import PullChannel
from connectors.ota.simulator.push import PushChannel
from connectors.ota.simulator.runner import serve_bounded
from connectors.ota.simulator.schemas import SchemaFolder


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m connectors.ota.simulator", description=__doc__)
    parser.add_argument("kind", choices=("push", "pull"), help="the channel to simulate")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (see the first line)")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password-env", required=True, metavar="VAR", help="variable holding the password")
    parser.add_argument("--soap", action="store_true", help="SOAP 1.1 with WS-Security instead of HTTP Basic")
    parser.add_argument("--schemas", type=Path, help="folder of OTA 2015A XSDs to validate every request")
    parser.add_argument("--auth-failure", choices=[kind.value for kind in AuthFailure], default="http")
    parser.add_argument("--reservations", type=Path, help="pull: an XML file of HotelReservation elements")
    parser.add_argument("--max-lifetime", type=float, default=3600.0, metavar="SECONDS")
    parser.add_argument("--path", default="/ota", help="where the channel takes requests")
    return parser.parse_args(argv)


def _fail(text: str) -> int:
    print(f"error: {text}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run one simulated channel until its parent dies or its lifetime ends."""
    args = _arguments(argv)
    password = os.environ.get(args.password_env)
    if not password:
        return _fail(f"--password-env {args.password_env}: the variable is not set")
    try:
        schemas = SchemaFolder(args.schemas) if args.schemas is not None else None
    except FileNotFoundError as err:
        return _fail(f"--schemas: {err}")
    settings = {
        "username": args.username,
        "password": password,
        "soap": args.soap,
        "schemas": schemas,
        "path": args.path,
    }
    channel: SimulatedChannel = PushChannel(**settings) if args.kind == "push" else PullChannel(**settings)
    channel.behave(auth_failure=args.auth_failure)
    if args.reservations is not None:
        if not isinstance(channel, PullChannel):
            return _fail("--reservations: only a pull channel holds reservations")
        try:
            channel.add(args.reservations.read_bytes())
        except (OSError, ValueError) as err:
            return _fail(f"--reservations {args.reservations}: {err}")

    def announce(url: str) -> None:
        print(f"listening on {url}", flush=True)

    try:
        asyncio.run(
            serve_bounded(
                channel.app,
                host=args.host,
                port=args.port,
                max_lifetime_s=args.max_lifetime,
                announce=announce,
            )
        )
    except OSError as err:
        return _fail(f"--host/--port: {err}")
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
