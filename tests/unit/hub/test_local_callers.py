"""Who counts as local for the operator API without a token, and where `serve` may listen without one."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from hub.loopback import is_local_request, is_loopback_host
from hub.preflight import open_api_refusal
from hub.settings import HubSettings


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_given_a_loopback_peer_and_no_proxy_header_when_judged_then_local(peer: str) -> None:
    assert is_local_request(peer, [("host", "hub"), ("user-agent", "curl")])


@pytest.mark.parametrize(
    "peer", ["203.0.113.7", "10.0.0.2", "2001:db8::7", "::ffff:192.0.2.1", "testclient", ""]
)
def test_given_a_peer_off_this_host_when_judged_then_not_local(peer: str) -> None:
    assert not is_local_request(peer, [])


def test_given_no_peer_address_when_judged_then_not_local() -> None:
    assert not is_local_request(None, [])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Forwarded-For", "203.0.113.7"),
        ("x-forwarded-for", "127.0.0.1, 203.0.113.7"),
        ("X-Forwarded-For", "203.0.113.7:4711"),
        ("X-Real-IP", "203.0.113.7"),
        ("Forwarded", "for=203.0.113.7;proto=https;by=127.0.0.1"),
        ("Forwarded", 'for=127.0.0.1, for="[2001:db8:cafe::17]:4711"'),
        ("Forwarded", "For=unknown"),
        ("Forwarded", "for=_hidden"),
        ("X-Forwarded-For", ""),
    ],
)
def test_given_a_loopback_peer_forwarding_for_a_client_elsewhere_when_judged_then_not_local(
    name: str, value: str
) -> None:
    assert not is_local_request("127.0.0.1", [(name, value)])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Forwarded-For", "127.0.0.1"),
        ("X-Forwarded-For", "127.0.0.1:5000, ::1"),
        ("Forwarded", 'for="[::1]:4711";proto=http'),
        ("Forwarded", "proto=https"),  # names no client: the peer is the client
    ],
)
def test_given_a_loopback_peer_forwarding_for_a_loopback_client_when_judged_then_local(
    name: str, value: str
) -> None:
    assert is_local_request("127.0.0.1", [(name, value)])


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "LOCALHOST", "::1", "[::1]"])
def test_given_a_loopback_bind_host_when_judged_then_loopback(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "hub.example", ""])
def test_given_a_bind_host_reachable_from_elsewhere_when_judged_then_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)


def test_given_no_token_when_serving_on_all_addresses_then_refused_naming_hub_api_token() -> None:
    refusal = open_api_refusal(HubSettings(api_token=None), "0.0.0.0")
    assert refusal is not None and refusal.startswith("HUB_API_TOKEN is unset")
    assert "\n" not in refusal


def test_given_a_token_when_serving_on_all_addresses_then_allowed() -> None:
    assert open_api_refusal(HubSettings(api_token=SecretStr("s3cret-operator-token")), "0.0.0.0") is None


def test_given_no_token_when_serving_on_loopback_then_allowed() -> None:
    assert open_api_refusal(HubSettings(api_token=None), "127.0.0.1") is None
