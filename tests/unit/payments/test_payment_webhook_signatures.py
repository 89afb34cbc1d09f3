"""Standard Webhooks verification: a signed delivery passes; tampered, stale, replayed or foreign ones are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from payment_builders import SECRET_NEW, SECRET_OLD, fixture_bytes

from connectors.payments.webhooks import (
    BadSignature,
    MalformedHeader,
    MissingHeader,
    ReplayedWebhook,
    StaleTimestamp,
    decode_secret,
    sign,
    signed_headers,
    verify,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
STAMP = int(NOW.timestamp())
OLD, NEW = decode_secret(SECRET_OLD), decode_secret(SECRET_NEW)
BODY = fixture_bytes("event_amount_capturable_updated")
ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"


def _signed(*keys: bytes, body: bytes = BODY, stamp: int = STAMP, webhook_id: str = ID) -> dict[str, str]:
    return signed_headers(keys or (OLD,), webhook_id, stamp, body)


def test_given_the_spec_example_when_signed_then_the_published_signature_comes_out() -> None:
    # The worked example of the Standard Webhooks specification (secret, id, timestamp, body, signature).
    key = decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'

    assert sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_given_a_signed_delivery_when_verified_then_it_passes_with_its_id() -> None:
    verified = verify(_signed(), BODY, [OLD], now=NOW)

    assert (verified.webhook_id, verified.timestamp) == (ID, STAMP)


def test_given_a_tampered_body_when_verified_then_bad_signature() -> None:
    with pytest.raises(BadSignature):
        verify(_signed(), BODY.replace(b"48000", b"4800"), [OLD], now=NOW)


def test_given_a_tampered_id_or_timestamp_when_verified_then_bad_signature() -> None:
    headers = _signed()
    with pytest.raises(BadSignature):
        verify({**headers, "webhook-id": "msg_other"}, BODY, [OLD], now=NOW)
    with pytest.raises(BadSignature):
        verify({**headers, "webhook-timestamp": str(STAMP + 1)}, BODY, [OLD], now=NOW)


@pytest.mark.parametrize("offset_s", [-301, 301], ids=["too-old", "from-the-future"])
def test_given_a_timestamp_outside_five_minutes_when_verified_then_stale(offset_s: int) -> None:
    headers = _signed(stamp=STAMP + offset_s)

    with pytest.raises(StaleTimestamp):
        verify(headers, BODY, [OLD], now=NOW)


def test_given_a_timestamp_at_the_edge_when_verified_then_it_passes() -> None:
    assert verify(_signed(stamp=STAMP - 300), BODY, [OLD], now=NOW).timestamp == STAMP - 300


def test_given_an_id_seen_before_when_verified_then_replayed() -> None:
    seen = {ID}

    with pytest.raises(ReplayedWebhook):
        verify(_signed(), BODY, [OLD], now=NOW, seen=seen.__contains__)


def test_given_a_bad_signature_and_a_seen_id_when_verified_then_bad_signature_not_replay() -> None:
    # An unsigned request must not learn which ids were seen.
    with pytest.raises(BadSignature):
        verify(_signed(NEW), BODY, [OLD], now=NOW, seen=lambda _id: True)


def test_given_a_rotation_when_the_sender_signs_with_the_new_secret_then_both_configured_secrets_accept() -> (
    None
):
    new_only = _signed(NEW)

    assert verify(new_only, BODY, [OLD, NEW], now=NOW).webhook_id == ID
    with pytest.raises(BadSignature):
        verify(new_only, BODY, [OLD], now=NOW)


def test_given_a_sender_signing_with_both_secrets_when_verified_with_either_then_it_passes() -> None:
    both = _signed(OLD, NEW)

    assert " " in both["webhook-signature"]
    assert verify(both, BODY, [NEW], now=NOW).webhook_id == ID
    assert verify(both, BODY, [OLD], now=NOW).webhook_id == ID


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_given_a_missing_header_when_verified_then_missing(header: str) -> None:
    headers = {k: v for k, v in _signed().items() if k != header}

    with pytest.raises(MissingHeader):
        verify(headers, BODY, [OLD], now=NOW)


@pytest.mark.parametrize(
    ("header", "value"),
    [("webhook-timestamp", "yesterday"), ("webhook-signature", "v2,abc"), ("webhook-id", "x" * 300)],
)
def test_given_an_unreadable_header_when_verified_then_malformed(header: str, value: str) -> None:
    with pytest.raises(MalformedHeader):
        verify({**_signed(), header: value}, BODY, [OLD], now=NOW)


@pytest.mark.parametrize(
    "secret", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_c2hvcnQ="]
)
def test_given_a_bad_secret_when_decoded_then_value_error_without_the_secret(secret: str) -> None:
    with pytest.raises(ValueError) as raised:
        decode_secret(secret)

    assert secret not in str(raised.value)


def test_given_headers_in_any_case_when_verified_then_found() -> None:
    headers = {k.title(): v for k, v in _signed().items()}

    assert verify(headers, BODY, [OLD], now=NOW + timedelta(seconds=5)).webhook_id == ID
