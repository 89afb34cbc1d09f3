"""Who counts as local: loopback addresses, bind hosts, and requests no proxy forwarded from afar."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator

# Headers in which a proxy names the client it forwards for (RFC 7239 and the common de-facto ones).
_FORWARDED_FOR = ("x-forwarded-for", "x-real-ip")


def is_loopback_address(text: str) -> bool:
    """True for an IP address of this host's loopback (127.0.0.0/8, ::1, ::ffff:127.x.x.x)."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return False  # a name, "unknown", an obfuscated "_id": nothing proves it is this host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def is_loopback_host(host: str) -> bool:
    """True when binding `host` listens on loopback only ("localhost" or a loopback address)."""
    host = host.strip().strip("[]")
    return host.lower() == "localhost" or is_loopback_address(host)


def is_local_request(client_host: str | None, headers: Iterable[tuple[str, str]]) -> bool:
    """True when the peer is on loopback and no proxy header names a client elsewhere.

    A proxy on this host forwarding a remote client is not local, whatever the peer address:
    uvicorn already rewrites the peer from X-Forwarded-For for its FORWARDED_ALLOW_IPS, and every
    `Forwarded: for=`, `X-Forwarded-For` and `X-Real-IP` entry must be loopback too.
    """
    if client_host is None or not is_loopback_address(client_host):
        return False
    return all(is_loopback_address(node) for node in _forwarded_nodes(headers))


def _forwarded_nodes(headers: Iterable[tuple[str, str]]) -> Iterator[str]:
    for name, value in headers:
        name = name.lower()
        if name == "forwarded":
            for element in value.split(","):
                for pair in element.split(";"):
                    key, _, node = pair.partition("=")
                    if key.strip().lower() == "for":
                        yield _without_port(node.strip().strip('"'))
        elif name in _FORWARDED_FOR:
            for node in value.split(","):
                yield _without_port(node.strip())


def _without_port(node: str) -> str:
    if node.startswith("["):  # "[2001:db8::1]:4711"
        return node[1:].partition("]")[0]
    if node.count(":") == 1:  # "192.0.2.60:4711"
        return node.partition(":")[0]
    return node
