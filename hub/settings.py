"""HubSettings: the one place configuration is read from the environment (prefix HUB_)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.payments.vault import decode_key
from routes.retention import KeepTimes


class HubSettings(BaseSettings):
    """Everything the hub reads from its environment; built once in hub/ and passed down."""

    # hide_input_in_errors: a malformed secret must not reach a log or traceback in an error message.
    model_config = SettingsConfigDict(
        env_prefix="HUB_", env_file=None, extra="ignore", hide_input_in_errors=True
    )

    database_url: str = "sqlite+aiosqlite:///./hotelhub.db"
    broker_url: str | None = None
    # The configuration file `serve` and `worker` check, migrate for and apply at start (under the
    # configuration lock, as `hotelhub config apply` does); `--config` overrides it. Unset: none.
    config_file: Path | None = None

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Failed partner logins from one address with one username before further tries are refused
    # unchecked until the window ends (routes/login_guard.py); 0 turns the guard off.
    auth_failures_max: int = Field(default=10, ge=0)
    auth_failure_window_seconds: float = Field(default=60.0, gt=0)

    card_vault_key: SecretStr | None = None
    card_vault_key_file: Path = Path("hotelhub-vault.key")

    # Bearer token for the operator on the REST API. Unset: only loopback callers are the operator,
    # and `serve` refuses to listen anywhere but loopback (hub/preflight.py).
    api_token: SecretStr | None = None
    # How long the REST API honours an Idempotency-Key; an older key is free to be used again.
    idempotency_ttl_hours: float = Field(default=24.0, ge=0)
    # Retention (routes.retention), in days; 0 keeps those rows for ever. The inbox must outlive
    # the longest time a message can wait in a queue or retry tier (see docs/configuration.md).
    retain_outbox_days: float = Field(default=7.0, ge=0)
    retain_inbox_days: float = Field(default=30.0, ge=0)
    retain_inbound_days: float = Field(default=90.0, ge=0)

    log_level: str = "INFO"
    log_json: bool = True

    # Group commit at ingress: how many accepted messages share one transaction, and how long
    # the first one waits for company when no commit is in flight. 0: commit at once; what
    # arrives during a commit rides in the next one anyway, and under load the partners whose
    # pushes are all in hand are waiting for the commit (measured: a 2 ms wait cost throughput).
    ingress_batch_max: int = Field(default=128, ge=1)
    ingress_batch_wait_ms: float = Field(default=0.0, ge=0)

    # Embedded dispatcher and outbox relay.
    dispatcher_batch: int = Field(default=64, ge=1)
    dispatcher_idle_ms: float = Field(default=50.0, ge=1)
    relay_batch: int = Field(default=256, ge=1)
    relay_idle_ms: float = Field(default=50.0, ge=1)
    mapping_cache_seconds: float = Field(default=5.0, ge=0)
    # How often the booking-pull scheduler looks for pulled partners that are due or overdue.
    pull_tick_seconds: float = Field(default=1.0, gt=0, le=60)
    # Overrides every route's retry schedule (seconds between deliveries), e.g. "[0.2, 0.5]".
    retry_delays_s: list[float] | None = None

    # Unacknowledged deliveries per consumer channel; a worker commits up to this many in one
    # transaction. 128 measured fewer database and worker CPU seconds a booking than 64.
    rabbit_prefetch: int = Field(default=128, ge=1)
    rabbit_delivery_limit: int = Field(default=20, ge=1)

    # CPUs this process runs on (Linux), e.g. "0" or "1-3,6"; unset: any. On a small host that
    # also runs the worker and the servers, the door answers partners fastest on a core of its
    # own: `serve` on "0", `worker` on "1" (see docs/configuration.md#cpus).
    cpu_affinity: str | None = None

    # Fault injection for the crash tests only: the worker kills itself after committing a
    # message of this type and before acknowledging it.
    fault_kill_after_commit: str | None = None
    # Fault injection for the crash tests only: the worker kills itself once it has taken a
    # delivery of this type and before committing its effect (the broker redelivers it).
    fault_kill_before_commit: str | None = None
    # Fault injection for the crash tests only: the booking poller kills its process once the
    # pulled reservations are committed and before it acknowledges them to the channel.
    fault_kill_before_pull_ack: bool = False

    # The worker refreshes this file while it is connected and consuming; `hotelhub worker-health`
    # (the container health check) fails once it is older than its --max-age.
    worker_heartbeat_file: Path = Path("/tmp/hotelhub-worker-heartbeat")  # noqa: S108 - a flag, not data
    worker_heartbeat_seconds: float = Field(default=5.0, gt=0)

    @field_validator("api_token")
    @classmethod
    def _token_not_empty(cls, value: SecretStr | None) -> SecretStr | None:
        # An empty variable is a mistake (e.g. `HUB_API_TOKEN=` in an .env file), never "no token".
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("is empty: set the operator's bearer token, or unset it (loopback callers only)")
        return value

    @field_validator("card_vault_key")
    @classmethod
    def _vault_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            decode_key(value.get_secret_value())  # refuse a malformed key at start, naming it
        return value

    @property
    def keep_times(self) -> KeepTimes:
        """The retention settings as keep times (None: for ever)."""

        def days(value: float) -> timedelta | None:
            return timedelta(days=value) if value > 0 else None

        return KeepTimes(
            finished_outbox=days(self.retain_outbox_days),
            inbox=days(self.retain_inbox_days),
            inbound_messages=days(self.retain_inbound_days),
        )

    @field_validator("cpu_affinity")
    @classmethod
    def _cpu_list(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None:
            cpu_list(value)  # refuse a malformed list at start, naming it
        return value

    @property
    def cpus(self) -> frozenset[int] | None:
        """HUB_CPU_AFFINITY as a set of CPU numbers (None: no restriction)."""
        return cpu_list(self.cpu_affinity) if self.cpu_affinity is not None else None

    @property
    def embedded(self) -> bool:
        """True when no broker is configured: the outbox table is the queue."""
        return not self.broker_url


def cpu_list(text: str) -> frozenset[int]:
    """CPU numbers from a Linux CPU list ("0", "0,2", "1-3,6"); ValueError naming a bad part."""
    cpus: set[int] = set()
    for part in text.replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"{part!r} in CPU list {text!r} is not a CPU number or range (e.g. 0 or 1-3)")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"{part!r} in CPU list {text!r} runs backwards")
        cpus.update(range(low, high + 1))
    return frozenset(cpus)


def environment() -> Mapping[str, str]:
    """The process environment, for the secrets the config file names by variable (read only here)."""
    return os.environ
