"""The local card vault: AES-256-GCM round trip, and refusal of foreign or altered tokens."""

from __future__ import annotations

import base64

import pytest
from ota_unit_builders import VISA

from canonical.cards import CardVault, InvalidCardToken, card_ref_from
from canonical.errors import PermanentError
from connectors.payments.vault import TOKEN_PREFIX, LocalCardVault, generate_key


async def test_given_pan_when_tokenised_then_detokenises_to_same_pan(vault: LocalCardVault) -> None:
    token = await vault.tokenize(VISA, "09/31")
    assert token.startswith(TOKEN_PREFIX)
    assert VISA not in token
    assert await vault.detokenize(token) == VISA


async def test_given_same_pan_twice_when_tokenised_then_tokens_differ(vault: LocalCardVault) -> None:
    assert await vault.tokenize(VISA, None) != await vault.tokenize(VISA, None)


async def test_given_token_of_another_key_when_detokenised_then_refused(vault: LocalCardVault) -> None:
    other = LocalCardVault(generate_key())
    with pytest.raises(InvalidCardToken, match="not issued by this vault"):
        await vault.detokenize(await other.tokenize(VISA, None))


async def test_given_altered_token_when_detokenised_then_refused(vault: LocalCardVault) -> None:
    token = await vault.tokenize(VISA, None)
    raw = bytearray(base64.urlsafe_b64decode(token[len(TOKEN_PREFIX) :] + "=="))
    raw[-1] ^= 0x01
    altered = TOKEN_PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(InvalidCardToken):
        await vault.detokenize(altered)


@pytest.mark.parametrize(
    "token",
    ["tok_visa_4242", "hhv1.", "hhv1.AAAA", "hhv1.!!!not-base64!!!", "hhv2." + "A" * 60],
    ids=["foreign", "empty", "too_short", "garbled", "other_version"],
)
async def test_given_foreign_or_garbled_token_when_detokenised_then_clear_error(
    vault: LocalCardVault, token: str
) -> None:
    with pytest.raises(InvalidCardToken) as caught:
        await vault.detokenize(token)
    assert isinstance(caught.value, PermanentError)
    assert str(caught.value)


def test_given_short_key_when_vault_built_then_value_error() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        LocalCardVault(b"short")


def test_given_vault_when_shown_then_key_hidden_and_protocol_met() -> None:
    key = generate_key()
    vault = LocalCardVault(key)
    assert key.hex() not in repr(vault) and "hidden" in repr(vault)
    assert isinstance(vault, CardVault)


async def test_given_non_digit_pan_when_tokenised_then_value_error(vault: LocalCardVault) -> None:
    with pytest.raises(ValueError, match="digits"):
        await vault.tokenize("4111 1111", None)


def test_given_mask_when_card_ref_built_then_bin_and_last_four() -> None:
    ref = card_ref_from(token="t", mask="411111XXXXXX1111", brand="VI", expiry="09/31")
    assert (ref.bin, ref.last4, ref.token, ref.expiry) == ("411111", "1111", "t", "09/31")
    assert card_ref_from(token=None, mask="XXXXXXXXXXXX4444").bin is None


def test_given_full_pan_as_mask_when_card_ref_built_then_refused() -> None:
    with pytest.raises(ValueError, match="full card number"):
        card_ref_from(token="t", mask=VISA)
