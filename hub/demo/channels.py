"""The demo's channels: simulators on free local ports, and the demo's own copy of the configuration
pointing its partners at them.

OTA One takes ARI as SOAP 1.1 with a WS-Security login; OTA Two takes it as plain XML with HTTP
Basic and, at the same URL, holds bookings for the hub to pull, as real channels do: one
endpoint answers the notifications (a `PushChannel`) and the reads and acknowledgements (a
`PullChannel`), each message sent to the simulator that takes it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree
from starlette.types import Message, Receive, Scope, Send

from connectors.ota.settings import SOAP11_NS, SOAP12_NS
from connectors.ota.simulator import PullChannel, PushChannel, serving

HUB_LOGIN = "alpina-hub"  # the hub's username at every demo channel
PULLED_PARTNER = "otatwo"  # takes ARI and holds bookings for the hub to pull
OUTAGE_PARTNER = "otaone"  # goes down during the demo, and comes back
SOAP_PARTNERS = frozenset({"otaone"})
# Short waits, so an outage and its recovery take seconds: a failed round is tried again soon, the
# breaker opens after 3 failures in a row and lets a probe through a second later.
DEMO_OUTBOUND_POLICY: dict[str, Any] = {
    "retry": {"delays_s": [0.1, 0.2, 0.4]},
    "breaker": {"failure_threshold": 3, "open_s": 1, "half_open_probes": 1},
    "timeout_s": 5,
}
DEMO_PULL = {"interval_s": 1, "alarm_after_s": 60}
# OTA Two is shown one room fewer than the hotel has: the last room of each type stays for direct sales.
DEMO_AVAILABILITY_RULES: dict[str, dict[str, Any]] = {"otatwo": {"hold_back": 1}}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def message_name(body: bytes) -> str:
    """The OTA message a request carries (inside a SOAP Body when it has one); '' when unreadable."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return ""
    namespace = etree.QName(root).namespace
    if namespace in (SOAP11_NS, SOAP12_NS):
        found = root.find(f"{{{namespace}}}Body")
        children = [c for c in (found if found is not None else []) if isinstance(c.tag, str)]
        if not children:
            return ""
        root = children[0]
    return etree.QName(root).localname


class SharedDoor:
    """One channel endpoint in front of two simulators: reads and acknowledgements go to the pull
    channel, everything else to the push channel."""

    def __init__(self, push: PushChannel, pull: PullChannel) -> None:
        self.push, self.pull = push, pull

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.push.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        target = self.pull if message_name(body) in self.pull.accepts else self.push
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: the client's disconnect, if it gives up

        await target.app(scope, replay, send)


@dataclass
class DemoChannel:
    """One simulated channel: its ARI simulator, its pull simulator if it has one, its URL and login."""

    partner_id: str
    push: PushChannel
    pull: PullChannel | None
    url: str
    password_env: str
    password: str


@asynccontextmanager
async def running_channels(partner_ids: list[str]) -> AsyncIterator[dict[str, DemoChannel]]:
    """Start one simulated channel per partner on a free local port; stop them all afterwards."""
    async with AsyncExitStack() as stack:
        channels: dict[str, DemoChannel] = {}
        for partner_id in partner_ids:
            password = secrets.token_urlsafe(18)
            login = {"username": HUB_LOGIN, "password": password}
            push = PushChannel(**login, soap=partner_id in SOAP_PARTNERS)
            pull = PullChannel(**login) if partner_id == PULLED_PARTNER else None
            app = push.app if pull is None else SharedDoor(push, pull)
            base = await stack.enter_async_context(serving(app))
            env = f"HUB_DEMO_{partner_id.upper()}_OUT_PASSWORD"
            channels[partner_id] = DemoChannel(partner_id, push, pull, f"{base}/ota", env, password)
        with _outbound_passwords(channels):
            yield channels


@contextmanager
def _outbound_passwords(channels: Mapping[str, DemoChannel]) -> Iterator[None]:
    # The hub reads a partner's outbound password from the variable its configuration names; the
    # demo sets it for its own process, for the length of the run, as it does the inbound ones.
    before = {c.password_env: os.environ.get(c.password_env) for c in channels.values()}
    os.environ.update({c.password_env: c.password for c in channels.values()})
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def write_demo_config(
    source: Path,
    target: Path,
    channels: Mapping[str, DemoChannel],
    extra_partners: Sequence[dict[str, Any]] = (),
) -> Path:
    """The example configuration with each partner sending to its simulator; written to `target`.

    Mapping files are named by absolute path (they stay beside the example); delivery waits are
    shortened; OTA One takes SOAP, OTA Two holds a room back and is also pulled for its bookings;
    `extra_partners` (the card gateway) are added as given.
    """
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for partner in data["partners"]:
        if partner.get("mapping"):
            partner["mapping"] = str((source.parent / partner["mapping"]).resolve())
        channel = channels.get(partner["id"])
        if channel is None:
            partner.pop("outbound", None)
            continue
        outbound = partner.setdefault("outbound", {})
        outbound["url"] = channel.url
        outbound["credentials"] = {"username": HUB_LOGIN, "password_env": channel.password_env}
        policy = outbound.setdefault("policy", {})
        policy.update({k: v for k, v in DEMO_OUTBOUND_POLICY.items() if k != "retry"})
        policy["retry"] = {**policy.get("retry", {}), **DEMO_OUTBOUND_POLICY["retry"]}
        ari = outbound.setdefault("ari", {})
        if channel.push.soap:
            ari["envelope"] = "soap11"
        if partner["id"] in DEMO_AVAILABILITY_RULES:
            ari["availability"] = dict(DEMO_AVAILABILITY_RULES[partner["id"]])
        if channel.pull is not None:
            outbound["pull"] = dict(DEMO_PULL)
    data["partners"].extend(extra_partners)
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target
