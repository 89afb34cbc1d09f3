"""Tables the delivery layer owns: outbox, inbox, dead letters, inbound journal, partners."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)

from pms_core.adapters.tables import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", String(36), nullable=False),
    Column("message_type", String(100), nullable=False),
    # NULL: every consumer of message_type; set: only that consumer (a retry or a replay).
    Column("consumer", String(100), nullable=True),
    Column("body", Text, nullable=False),
    Column("headers", JSON, nullable=False, default=dict),
    Column("correlation_id", String(100), nullable=False),
    Column("status", String(12), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("available_at", UtcDateTime(), nullable=False),
    Column("claimed_until", UtcDateTime(), nullable=True),
    Column("first_failed_at", UtcDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("sent_at", UtcDateTime(), nullable=True),
)
Index("ix_outbox_due", outbox.c.status, outbox.c.available_at, outbox.c.id)

inbox = Table(
    "inbox",
    metadata,
    Column("message_id", String(36), primary_key=True),
    Column("consumer", String(100), primary_key=True),
    Column("processed_at", UtcDateTime(), nullable=False),
)
# the retention purge finds old rows by age (routes.retention); BRIN on PostgreSQL
Index("ix_inbox_processed_at", inbox.c.processed_at, postgresql_using="brin")

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", String(36), nullable=False),
    Column("message_type", String(100), nullable=False),
    Column("consumer", String(100), nullable=False),
    Column("correlation_id", String(100), nullable=False),
    Column("partner_id", String(64), nullable=True),
    Column("property_code", String(64), nullable=True),
    # What the letter is about, for support staff: read from the envelope or the kept partner message.
    Column("partner_reservation_id", String(128), nullable=True),
    Column("hotel_code", String(64), nullable=True),
    Column("arrival", Date, nullable=True),
    Column("departure", Date, nullable=True),
    Column("message_name", String(64), nullable=True),
    Column("body", Text, nullable=False),
    Column("headers", JSON, nullable=False, default=dict),
    Column("error_class", String(200), nullable=False),
    Column("error_text", Text, nullable=False),
    Column("severity", String(4), nullable=False, default="P3"),
    Column("attempts", Integer, nullable=False, default=1),
    Column("first_failed_at", UtcDateTime(), nullable=False),
    Column("last_failed_at", UtcDateTime(), nullable=False),
    Column("status", String(12), nullable=False, default="open"),
    Column("resolved_at", UtcDateTime(), nullable=True),
    # Every failure of this letter, replays included: [{"at", "error_class", "error_text", "attempts"}].
    Column("history", JSON, nullable=False, default=list, server_default=text("'[]'")),
    UniqueConstraint("message_id", "consumer", "first_failed_at", name="uq_dead_letters_message"),
)
Index("ix_dead_letters_status", dead_letters.c.status, dead_letters.c.id)

dead_letter_actions = Table(
    "dead_letter_actions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dead_letter_id", Id, ForeignKey("dead_letters.id"), nullable=False),
    Column("action", String(20), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", Text, nullable=True),
    Column("new_message_id", String(36), nullable=True),
    Column("at", UtcDateTime(), nullable=False),
)

inbound_messages = Table(
    "inbound_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", String(36), nullable=False, unique=True),
    Column("partner_id", String(64), nullable=False),
    Column("protocol", String(20), nullable=False),
    Column("message_name", String(64), nullable=False),
    Column("correlation_id", String(100), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    # The wire message as received, payment card numbers already replaced by vault tokens.
    Column("body", Text, nullable=False),
    Column("outcome", String(12), nullable=False),
    Column("error", Text, nullable=True),
    Column("references", JSON, nullable=False, default=list),
)
Index("ix_inbound_partner", inbound_messages.c.partner_id, inbound_messages.c.received_at)
Index("ix_inbound_messages_received_at", inbound_messages.c.received_at, postgresql_using="brin")

partners = Table(
    "partners",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("username", String(200), nullable=True, unique=True),
    Column("password_hash", String(300), nullable=True),
    Column("enabled", Boolean, nullable=False, default=True),
    # When `config apply` disabled the partner because the configuration no longer names it.
    Column("disabled_at", UtcDateTime(), nullable=True),
    Column("outbound_url", String(500), nullable=True),
    Column("policy", JSON, nullable=False, default=dict),
    Column("mapping", JSON, nullable=False, default=dict),
    Column("updated_at", UtcDateTime(), nullable=False),
    # Set when the partner refused our credentials or set-up (a configuration failure): nothing is
    # sent to it until `config apply` changes it (routes/pauses.py).
    Column("paused_at", UtcDateTime(), nullable=True),
    Column("paused_reason", Text, nullable=True),
    # A pull-model partner's polling (routes/pull_policy.PullPolicy as JSON); NULL: it pushes.
    Column("pull", JSON, nullable=True),
    # The hub's login at the partner: username and the NAME of the password's variable, never a secret.
    Column("outbound_login", JSON, nullable=True),
    # How the partner takes ARI (routes/ari_policy.AriPolicy as JSON); NULL: the hub's defaults.
    Column("ari", JSON, nullable=True),
)

# One row per pulled partner, shared by every process (routes/booking_pull.py): when it was last
# polled, with what outcome, and since when it is overdue (its alarm raised, once).
pull_state = Table(
    "pull_state",
    metadata,
    Column("partner_id", String(64), primary_key=True),
    Column("watched_since", UtcDateTime(), nullable=False),
    Column("last_attempt_at", UtcDateTime(), nullable=True),
    Column("last_success_at", UtcDateTime(), nullable=True),
    Column("last_error_at", UtcDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("overdue_since", UtcDateTime(), nullable=True),
    Column("reservations_pulled", Integer, nullable=False, default=0, server_default=text("0")),
)

partner_grants = Table(
    "partner_grants",
    metadata,
    Column("partner_id", String(64), ForeignKey("partners.id"), primary_key=True),
    Column("property_code", String(64), primary_key=True),
)

# Idempotency-Key of the direct-booking API, scoped per caller ("operator" or "partner:<id>") and
# property; stored in the same transaction as the booking it made.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("caller", String(100), primary_key=True),
    Column("property_code", String(64), primary_key=True),
    Column("idempotency_key", String(255), primary_key=True),
    # sha256 (hex) of the validated request body as sorted JSON.
    Column("fingerprint", String(64), nullable=False),
    # NULL only inside the transaction that claimed the key, until its booking is written.
    Column("booking_id", Uuid, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

# The ARI distributor's pending set (routes/ari_pending.py): one row per channel cell whose value
# the channel has not confirmed since it last changed; the value itself is read from the core when
# sent. `seq` grows with every change, so a row re-marked while its send was under way survives it.
ari_pending = Table(
    "ari_pending",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("property_code", String(64), primary_key=True),
    Column("room_type", String(64), primary_key=True),
    Column("rate_plan", String(64), primary_key=True),  # "" for rooms left (a room type's cell)
    Column("night", Date, primary_key=True),
    Column("kind", String(16), primary_key=True),  # canonical.ari.AriKind
    Column("seq", BigInteger, nullable=False, default=1, server_default=text("1")),
    Column("urgent", Boolean, nullable=False, default=False, server_default=text("false")),
    Column("marked_at", UtcDateTime(), nullable=False),  # the oldest change not yet sent
    Index("ix_ari_pending_channel_urgent", "channel", "urgent", "marked_at"),
)

# Per channel: what the distributor last did, and which process sends for it (a lease, so one
# sender per channel across processes keeps its rate limit).
ari_channel_state = Table(
    "ari_channel_state",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("owner", String(64), nullable=True),
    Column("lease_until", UtcDateTime(), nullable=True),
    Column("last_sent_at", UtcDateTime(), nullable=True),
    Column("last_answer", String(32), nullable=True),
    Column("last_answer_text", Text, nullable=True),
    Column("last_answer_at", UtcDateTime(), nullable=True),
    Column("messages_sent", BigInteger, nullable=False, default=0, server_default=text("0")),
    Column("cells_sent", BigInteger, nullable=False, default=0, server_default=text("0")),
)
