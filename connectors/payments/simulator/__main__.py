"""`python -m connectors.payments.simulator`: the simulated gateway as its own process (demo, benches).

It prints one line, `listening on http://HOST:PORT`, once it accepts requests, and exits when its
parent dies or after --max-lifetime seconds. Like a partner's own server, it reads its API key and
webhook secret from the environment variables it is told.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from connectors.ota.simulator.runner import serve_bounded
from connectors.payments.simulator.app import GatewaySimulator
from connectors.payments.webhooks import decode_secret


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m connectors.payments.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--api-key-env", help="the variable holding the API key it takes (default sk_test_simulator)"
    )
    parser.add_argument("--webhook-url", help="where it posts its signed webhooks (none: it sends none)")
    parser.add_argument("--webhook-secret-env", help="the variable holding the whsec_ secret it signs with")
    parser.add_argument(
        "--max-lifetime", type=float, default=3600.0, help="seconds before it exits on its own"
    )
    return parser.parse_args(argv)


def _fail(text: str) -> int:
    print(f"error: {text}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run the simulated gateway until its parent dies or its lifetime ends."""
    args = _arguments(argv)
    sim = GatewaySimulator(webhook_url=args.webhook_url)
    if args.api_key_env:
        key = os.environ.get(args.api_key_env)
        if not key:
            return _fail(f"--api-key-env {args.api_key_env}: the variable is not set")
        sim.api_key = key
    if args.webhook_url:
        secret = os.environ.get(args.webhook_secret_env or "")
        if not secret:
            return _fail("--webhook-secret-env: the variable is not set (needed with --webhook-url)")
        try:
            sim.webhook_keys = (decode_secret(secret),)
        except ValueError as err:
            return _fail(f"--webhook-secret-env {args.webhook_secret_env} {err}")

    def announce(url: str) -> None:
        print(f"listening on {url}", flush=True)

    try:
        asyncio.run(
            serve_bounded(
                sim.app, host=args.host, port=args.port, max_lifetime_s=args.max_lifetime, announce=announce
            )
        )
    except OSError as err:
        return _fail(f"--host/--port: {err}")
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
