"""The outbound seam against recorded partner answers and httpx failures: each lands in one of the three classes."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

import httpx
import pytest
from outbound_fakes import WALL_NOW, Answers, Channel, recorded

from canonical.errors import ConfigurationError, PermanentError, TransientError
from routes.outbound.client import OutboundClient, build_outbound
from routes.outbound.errors import PartnerPaused
from routes.policy import DeliveryPolicy

BODY = b"<OTA_HotelAvailNotifRQ/>"


def _client(answers: Answers, *, kind: str = "ota", policy: DeliveryPolicy | None = None) -> OutboundClient:
    return build_outbound(
        Channel(kind=kind),
        policy or DeliveryPolicy(),
        transport=answers.transport,
        wall_clock=lambda: WALL_NOW,
    )


async def test_given_success_answer_when_sent_then_answer_returned_from_the_partners_url() -> None:
    answers = Answers(recorded("200"))
    response = await _client(answers).send("POST", content=BODY)
    assert b"<Success/>" in response.content
    assert str(answers.requests[0].url) == "https://channel.example/ari"
    assert answers.requests[0].content == BODY


@pytest.mark.parametrize("name", ["401", "403"])
async def test_given_credentials_refused_when_sent_then_configuration_error_and_no_second_call(
    name: str,
) -> None:
    answers = Answers(recorded(name))
    client = _client(answers)
    with pytest.raises(ConfigurationError) as refused:
        await client.send("POST", content=BODY)
    assert refused.value.partner_id == "otaone"
    assert f"HTTP {name}" in str(refused.value)
    with pytest.raises(PartnerPaused):
        await client.send("POST", content=BODY)
    assert len(answers.requests) == 1


@pytest.mark.parametrize(
    ("retry_after", "seconds"),
    [("120", 120.0), ("Fri, 04 Dec 2026 02:47:30 GMT", 150.0)],
    ids=["delay-seconds", "http-date"],
)
async def test_given_rate_limited_with_retry_after_when_sent_then_transient_with_that_delay(
    retry_after: str, seconds: float
) -> None:
    answers = Answers(recorded("429", headers={"Retry-After": retry_after}))
    with pytest.raises(TransientError) as limited:
        await _client(answers).send("POST", content=BODY)
    assert limited.value.retry_after_s == seconds


@pytest.mark.parametrize("name", ["500", "502", "503"])
async def test_given_server_error_when_sent_then_transient_without_a_delay_of_its_own(name: str) -> None:
    with pytest.raises(TransientError) as failed:
        await _client(Answers(recorded(name))).send("POST", content=BODY)
    assert failed.value.retry_after_s is None


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_given_transport_failure_when_sent_then_transient(failure: httpx.HTTPError) -> None:
    with pytest.raises(TransientError) as failed:
        await _client(Answers(failure)).send("POST", content=BODY)
    assert type(failure).__name__ in str(failed.value)
    assert failed.value.__cause__ is failure


@pytest.mark.parametrize("name", ["400", "422"])
async def test_given_message_rejected_when_sent_then_permanent(name: str) -> None:
    with pytest.raises(PermanentError):
        await _client(Answers(recorded(name))).send("POST", content=BODY)


async def test_given_unknown_endpoint_when_an_ota_and_a_payments_partner_answer_404_then_kinds_differ() -> (
    None
):
    # The OTA kind extends the default table: its endpoint missing is a configuration to fix.
    with pytest.raises(ConfigurationError):
        await _client(Answers(httpx.Response(404))).send("POST", content=BODY)
    with pytest.raises(PermanentError):
        await _client(Answers(httpx.Response(404)), kind="payments").send("POST", content=BODY)


async def test_given_message_over_max_bytes_when_sent_then_permanent_and_nothing_sent() -> None:
    answers = Answers(recorded("200"))
    client = _client(answers, policy=DeliveryPolicy(max_message_bytes=1024))
    with pytest.raises(PermanentError, match="max_message_bytes"):
        await client.send("POST", content=b"x" * 1025)
    assert answers.requests == []


async def test_given_partner_that_resets_the_connection_when_sent_over_a_socket_then_transient() -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        sock = writer.get_extra_info("socket")
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    server = await asyncio.start_server(reset, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = build_outbound(Channel(outbound_url=f"http://127.0.0.1:{port}/ari"), DeliveryPolicy(timeout_s=5))
    try:
        with pytest.raises(TransientError):
            await client.send("POST", content=BODY)
    finally:
        await client.aclose()
        server.close()
        with contextlib.suppress(Exception):
            await server.wait_closed()
