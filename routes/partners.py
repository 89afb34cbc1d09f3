"""Partners as the hub knows them: identity, hashed credentials, granted properties, policy, mapping."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.base import utcnow
from routes import metrics
from routes.ari_policy import AriPolicy
from routes.credentials import VerifiedCache, hash_secret, verify_secret
from routes.policy import DeliveryPolicy
from routes.pull_policy import OutboundLogin, PullPolicy
from routes.tables import partner_grants, partners
from routes.tasks import cancel_and_wait

log = logging.getLogger("hotelhub.partners")
SCRYPTS_AT_ONCE = 2


class PartnerKind(StrEnum):
    """What a partner does for the hub; decides which connector talks to it."""

    OTA = "ota"
    PAYMENTS = "payments"
    LOCKS = "locks"
    POS = "pos"
    ERP = "erp"
    EXPENSE = "expense"
    RMS = "rms"  # a revenue management system feeding rates and restrictions in
    PMS = "pms"  # an external PMS feeding availability, rates and restrictions in


@dataclass(frozen=True)
class PartnerSpec:
    """A partner as declared in the configuration, secret already read from its env var."""

    id: str
    kind: str
    name: str
    grants: frozenset[str]
    username: str | None = None
    secret: str | None = None
    outbound_url: str | None = None
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    mapping: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    pull: PullPolicy | None = None  # set: the hub polls this partner for its bookings
    outbound_login: OutboundLogin | None = None
    ari: AriPolicy | None = None  # how it takes ARI; None: the hub's defaults


@dataclass(frozen=True)
class PartnerRecord:
    """A partner loaded from the database."""

    id: str
    kind: str
    name: str
    username: str | None
    password_hash: str | None
    enabled: bool
    grants: frozenset[str]
    outbound_url: str | None
    policy: DeliveryPolicy
    mapping: dict[str, Any]
    # Set while a configuration failure (credentials refused) holds everything sent to it.
    paused_at: datetime | None = None
    paused_reason: str | None = None
    pull: PullPolicy | None = None
    outbound_login: OutboundLogin | None = None
    ari: AriPolicy | None = None


async def upsert_partner(conn: AsyncConnection, spec: PartnerSpec) -> str:
    """Create or update a partner; return "created", "unchanged", "updated: …" or "enabled again …".

    A partner disabled because it left the configuration is enabled again by its spec; a partner
    paused by a configuration failure is resumed by any change to it ("…; resumed").
    """
    row = (await conn.execute(select(partners).where(partners.c.id == spec.id))).first()
    grants = {
        g
        for (g,) in await conn.execute(
            select(partner_grants.c.property_code).where(partner_grants.c.partner_id == spec.id)
        )
    }
    values: dict[str, Any] = {
        "kind": spec.kind,
        "name": spec.name,
        "username": spec.username,
        "enabled": spec.enabled,
        "outbound_url": spec.outbound_url,
        "policy": spec.policy.model_dump(mode="json"),
        "mapping": spec.mapping,
        "pull": spec.pull.model_dump(mode="json") if spec.pull else None,
        "outbound_login": spec.outbound_login.model_dump(mode="json") if spec.outbound_login else None,
        "ari": spec.ari.model_dump(mode="json", by_alias=True) if spec.ari else None,
    }
    if row is None:
        values["password_hash"] = hash_secret(spec.secret) if spec.secret else None
        await conn.execute(insert(partners).values(id=spec.id, updated_at=utcnow(), **values))
        outcome = "created"
    else:
        current = dict(row._mapping)
        secret_same = (spec.secret is None and current["password_hash"] is None) or (
            spec.secret is not None
            and current["password_hash"] is not None
            and verify_secret(spec.secret, current["password_hash"])
        )
        changed = [_FIELD_NAMES.get(k, k) for k, v in values.items() if current[k] != v and k != "enabled"]
        changed += [] if secret_same else ["password"]
        changed += [] if grants == spec.grants else ["properties"]
        if not secret_same:
            values["password_hash"] = hash_secret(spec.secret) if spec.secret else None
        back = spec.enabled and not current["enabled"]
        resumed = bool(changed or back) and current["paused_at"] is not None
        if resumed:
            values.update(paused_at=None, paused_reason=None)
        if changed or current["enabled"] != spec.enabled or current["disabled_at"] is not None:
            await conn.execute(
                update(partners)
                .where(partners.c.id == spec.id)
                .values(updated_at=utcnow(), disabled_at=None, **values)
            )
        detail = ", ".join(changed)
        if back:
            outcome = "enabled again (back in the configuration)" + (f"; {detail} changed" if detail else "")
        else:
            outcome = f"updated: {detail} changed" if changed else "unchanged"
        if resumed:
            outcome += f"; resumed (paused since {current['paused_at']:%Y-%m-%d %H:%M} UTC)"
    if grants != spec.grants:
        await conn.execute(delete(partner_grants).where(partner_grants.c.partner_id == spec.id))
        if spec.grants:
            await conn.execute(
                insert(partner_grants),
                [{"partner_id": spec.id, "property_code": g} for g in sorted(spec.grants)],
            )
    return outcome


# What the configuration file calls a partner's stored fields, for the apply report.
_FIELD_NAMES = {
    "outbound_url": "outbound url",
    "policy": "outbound policy",
    "pull": "outbound pull",
    "outbound_login": "outbound credentials",
    "ari": "outbound ari",
}


async def release_usernames(conn: AsyncConnection, specs: Iterable[PartnerSpec]) -> None:
    """Take each spec's username from any other partner holding it, so logins can move or swap.

    Usernames are unique: without this, giving a departed partner's login to a new one, or two
    partners swapping theirs, would fail the apply halfway.
    """
    for spec in specs:
        if spec.username is not None:
            await conn.execute(
                update(partners)
                .where(partners.c.username == spec.username, partners.c.id != spec.id)
                .values(username=None, updated_at=utcnow())
            )


async def disable_absent(conn: AsyncConnection, keep: Iterable[str]) -> list[str]:
    """Disable every enabled partner whose id is not in ``keep``; return their ids, sorted.

    A disabled partner cannot log in and nothing is sent to it; its row, grants, mapping and
    history stay, so a later apply that names it again enables it as it was.
    """
    wanted = set(keep)
    rows = await conn.execute(select(partners.c.id).where(partners.c.enabled.is_(True)))
    gone = sorted(partner_id for (partner_id,) in rows if partner_id not in wanted)
    if gone:
        now = utcnow()
        await conn.execute(
            update(partners)
            .where(partners.c.id.in_(gone))
            .values(enabled=False, disabled_at=now, updated_at=now)
        )
    return gone


async def load_partners(conn: AsyncConnection) -> list[PartnerRecord]:
    """Every partner with its grants."""
    grants: dict[str, set[str]] = {}
    for partner_id, code in await conn.execute(select(partner_grants)):
        grants.setdefault(partner_id, set()).add(code)
    records = []
    for row in await conn.execute(select(partners).order_by(partners.c.id)):
        records.append(
            PartnerRecord(
                id=row.id,
                kind=row.kind,
                name=row.name,
                username=row.username,
                password_hash=row.password_hash,
                enabled=row.enabled,
                grants=frozenset(grants.get(row.id, ())),
                outbound_url=row.outbound_url,
                policy=DeliveryPolicy.model_validate(row.policy or {}),
                mapping=dict(row.mapping or {}),
                paused_at=row.paused_at,
                paused_reason=row.paused_reason,
                pull=PullPolicy.model_validate(row.pull) if row.pull else None,
                outbound_login=(
                    OutboundLogin.model_validate(row.outbound_login) if row.outbound_login else None
                ),
                ari=AriPolicy.model_validate(row.ari) if row.ari else None,
            )
        )
    return records


class PartnerDirectory:
    """Partners cached in memory for `ttl_s` seconds; authenticates inbound credentials.

    No copy older than `ttl_s` is used. Past half of it, the next lookup starts a reload in the
    background and is answered from the copy in hand, so under steady traffic no push waits for
    the database: before, every push arriving during a reload queued behind it (50-120 ms every
    five seconds at a thousand pushes a second). Unchanged partners keep their record objects, so
    caches keyed by them (the code book) stay valid across reloads.
    """

    def __init__(self, engine: AsyncEngine, *, ttl_s: float = 5.0) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self._by_id: dict[str, PartnerRecord] = {}
        self._by_username: dict[str, PartnerRecord] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()
        self._ahead: asyncio.Task[None] | None = None
        self._verified = VerifiedCache()
        # one scrypt per (stored hash, secret) at a time: a partner's first burst of pushes after
        # a start shares one verification instead of each running its own
        self._verifying: dict[tuple[str, bytes], asyncio.Future[bool]] = {}
        # at most this many scrypts at once: a flood of wrong secrets (never cached) costs two
        # threads' CPU and waits, rather than taking every core from the pushes that authenticated
        self._scrypt_slots = asyncio.Semaphore(SCRYPTS_AT_ONCE)

    async def refresh(self) -> None:
        """Reload every partner from the database now."""
        async with self.engine.connect() as conn:
            records = await load_partners(conn)
        kept = [self._same_or(record) for record in records]
        self._by_id = {r.id: r for r in kept}
        # Only partners that may log in: a disabled one is refused by the lookup that finds no one.
        self._by_username = {r.username: r for r in kept if r.username and r.enabled and r.password_hash}
        self._loaded_at = time.monotonic()
        # Every process shows the pause the database holds, whichever process paused or resumed it.
        for record in kept:
            metrics.PARTNER_PAUSED.labels(record.id).set(1 if record.paused_at is not None else 0)

    def _same_or(self, record: PartnerRecord) -> PartnerRecord:
        known = self._by_id.get(record.id)
        return known if known == record else record

    async def _fresh(self) -> None:
        age = time.monotonic() - self._loaded_at
        if age > self.ttl_s:
            async with self._lock:
                if time.monotonic() - self._loaded_at > self.ttl_s:
                    await self.refresh()
        elif age > self.ttl_s / 2 and self._ahead is None:
            self._ahead = asyncio.create_task(self._refresh_ahead(), name="partner-directory-reload")

    async def _refresh_ahead(self) -> None:
        try:
            async with self._lock:
                if time.monotonic() - self._loaded_at > self.ttl_s / 2:
                    await self.refresh()
        except Exception:
            # the copy in hand serves until it expires; then lookups reload (and fail) themselves
            log.warning("reloading partners failed; the loaded copy is kept", exc_info=True)
        finally:
            self._ahead = None

    async def close(self) -> None:
        """Stop a reload in the background (before the engine is disposed)."""
        ahead, self._ahead = self._ahead, None
        await cancel_and_wait(ahead)

    async def get(self, partner_id: str) -> PartnerRecord | None:
        """The partner with this id, or None."""
        await self._fresh()
        return self._by_id.get(partner_id)

    async def authenticate(self, username: str, secret: str) -> PartnerRecord | None:
        """The enabled partner these credentials belong to, or None."""
        await self._fresh()
        record = self._by_username.get(username)
        if record is None or not record.password_hash:
            return None
        if self._verified.known(secret, record.password_hash):
            return record
        if not await self._verify(secret, record.password_hash):
            return None
        return record

    async def _verify(self, secret: str, stored: str) -> bool:
        key = self._verified.key_of(secret, stored)
        pending = self._verifying.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._scrypt(secret, stored))
            self._verifying[key] = pending
            pending.add_done_callback(lambda _: self._verifying.pop(key, None))
        # shielded: one caller giving up (its client gone) must not cancel the others' answer
        return await asyncio.shield(pending)

    async def _scrypt(self, secret: str, stored: str) -> bool:
        async with self._scrypt_slots:
            # scrypt is deliberately slow: keep it off the event loop.
            return await asyncio.to_thread(self._verified.verify, secret, stored)
