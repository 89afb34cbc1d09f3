"""The machine's anchor: a bare FastAPI + lxml endpoint that parses an OTA booking and answers; prints JSON.

    python bench/anchor.py [--count 20000] [--concurrency 32] [--client raw|httpx] [--http httptools|h11]

The same pushes and the same load generator as bench/ingest.py, against an endpoint that does only
what every OTA door must: read the body, parse it with a safe lxml parser, answer a small XML
document (uvicorn with httptools on uvloop, one process). Its requests/s say how fast this machine is
at the time: the VM's speed drifts, and the ingest figures mean little without it. The issue that
set the ingest targets measured this anchor at 2,000 to 3,200 requests/s (p99 about 20 ms).
"""

import argparse
import asyncio
import base64
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import psutil
from fastapi import FastAPI, Request, Response
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from bench.ingest import _ms, free_port, load, machine, messages

ANSWER = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<OTA_HotelResNotifRS xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0"><Success/>'
    b"</OTA_HotelResNotifRS>"
)


def app() -> FastAPI:
    """The bare endpoint: body, safe parse, answer."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    api = FastAPI()

    @api.post("/ota")
    async def ota(request: Request) -> Response:
        root = etree.fromstring(await request.body(), parser)
        if root is None:
            return Response(status_code=400)
        return Response(ANSWER, media_type="text/xml")

    @api.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    return api


def serve(port: int, http: str) -> None:
    import uvicorn

    loop = "uvloop" if http == "httptools" else "asyncio"
    uvicorn.run(app(), host="127.0.0.1", port=port, http=http, loop=loop, log_level="warning")


def _server(port: int, http: str, log: IO[bytes]) -> subprocess.Popen[bytes]:
    command = [sys.executable, __file__, "--serve", str(port), "--http", http]
    return subprocess.Popen(command, stdout=log, stderr=log)


async def run(count: int, concurrency: int, client: str, http: str) -> dict[str, object]:
    from bench.ingest import wait_ready

    bodies = messages(count, 7, "unused")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = _server(port, http, log)
        try:
            await wait_ready(url, proc)
            server = psutil.Process(proc.pid)
            auth = "Basic " + base64.b64encode(b"a:b").decode()
            await load([url], bodies[:200], concurrency, client, auth)
            cpu = sum(server.cpu_times()[:2])
            answers, outcomes, wall = await load([url], bodies, concurrency, client, auth)
            cpu = sum(server.cpu_times()[:2]) - cpu
        finally:
            proc.terminate()
            proc.wait(10)
    latencies = [latency for _, latency in answers]
    return {
        "endpoint": "FastAPI + lxml, parse and answer",
        "server": f"uvicorn, {http}" + (" on uvloop" if http == "httptools" else ""),
        "client": client,
        "count": count,
        "concurrency": concurrency,
        "body_bytes": round(sum(map(len, bodies)) / len(bodies)),
        "answered": outcomes["accepted"],
        "errors": {k: v for k, v in outcomes.items() if k != "accepted"},
        "requests_per_s": round(outcomes["accepted"] / wall, 1),
        "latency_ms": {"p50": _ms(latencies, 0.5), "p99": _ms(latencies, 0.99)},
        "server_cpu_ms_per_request": round(cpu * 1000 / max(1, outcomes["accepted"]), 3),
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw", help="load generator, as bench/ingest.py's"
    )
    parser.add_argument(
        "--http", choices=("httptools", "h11"), default="httptools", help="uvicorn's HTTP protocol"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server process itself
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.http)
        return
    print(json.dumps(asyncio.run(run(args.count, args.concurrency, args.client, args.http)), indent=2))


if __name__ == "__main__":
    main()
