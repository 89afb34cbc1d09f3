"""Start-up refusals of `serve` and `worker`: an operator API open to the network, a bad vault key."""

from __future__ import annotations

from hub.bootstrap import VaultKeyError, load_vault_key
from hub.loopback import is_loopback_host
from hub.settings import HubSettings


def open_api_refusal(settings: HubSettings, host: str) -> str | None:
    """Why `serve` on `host` must not start (one line naming HUB_API_TOKEN), or None when it may."""
    if settings.api_token is None and not is_loopback_host(host):
        return (
            f"HUB_API_TOKEN is unset: serving on {host}, a non-loopback address, would leave the "
            "operator API without a password; set HUB_API_TOKEN or serve on 127.0.0.1"
        )
    return None


def vault_refusal(settings: HubSettings) -> str | None:
    """Why the card vault key cannot be had (one line naming its setting), or None when it can.

    Also creates the key file on first use, before the process takes traffic.
    """
    try:
        load_vault_key(settings)
    except VaultKeyError as err:
        return str(err)
    return None
