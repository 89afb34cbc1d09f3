"""Dead letters rendered for support staff in a terminal: the list table and one letter in full."""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from connectors.ota.summary import pretty

_SUMMARY_FIELDS = (
    "id",
    "status",
    "consumer",
    "partner_id",
    "partner_reservation_id",
    "property_code",
    "hotel_code",
    "arrival",
    "departure",
    "message_name",
    "message_type",
    "error_class",
    "error_text",
    "attempts",
    "first_failed_at",
    "last_failed_at",
    "correlation_id",
)


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """The machine form of a dead letter in a list (`dlq list --json`)."""
    return {k: row.get(k) for k in _SUMMARY_FIELDS}


def _stay(row: dict[str, Any], *, sep: str = " → ") -> str:
    arrival, departure = row.get("arrival"), row.get("departure")
    if arrival is None and departure is None:
        return "-"
    return f"{arrival or '?'}{sep}{departure or '?'}"


def _where(row: dict[str, Any], *, sep: str = " ") -> str:
    hotel, prop = row.get("hotel_code"), row.get("property_code")
    if hotel and prop and hotel != prop:
        return f"{prop}{sep}({hotel})"
    return prop or hotel or "-"


def print_dead_letters(out: Console, rows: list[dict[str, Any]]) -> None:
    """Render dead letters as a table: who, which booking, what failed (docs/support.md).

    Related facts share a cell, one per line, so the table still reads in an 80-column terminal:
    the id never wraps, the error folds.
    """
    table = Table(
        title=f"Dead letters ({len(rows)})",
        box=box.SIMPLE_HEAD,
        show_lines=True,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("partner\nreservation", overflow="fold", min_width=10)
    table.add_column("property\n(hotel)", overflow="fold", min_width=10)
    table.add_column("arrival\ndeparture", no_wrap=True)
    table.add_column("message\nerror", overflow="fold", ratio=1, min_width=14)
    table.add_column("tries", no_wrap=True, justify="right")
    table.add_column("status\nlast\nfailure", no_wrap=True)
    for r in rows:
        error = f"{r['error_class'].rsplit('.', 1)[-1]}: {r['error_text'][:160]}"
        table.add_row(
            str(r["id"]),
            f"{r['partner_id'] or '-'}\n{r.get('partner_reservation_id') or '-'}",
            _where(r, sep="\n"),
            _stay(r, sep="\n"),
            Text.assemble((r.get("message_name") or r["message_type"], "bold"), "\n", error),
            str(r["attempts"]),
            f"{r['status']}\n{str(r['last_failed_at'])[:10]}\n{str(r['last_failed_at'])[11:16]}",
        )
    out.print(table)


def print_dead_letter(out: Console, letter: dict[str, Any]) -> None:
    """Render one dead letter for a person: facts, error and history, actions, headers, messages."""
    out.rule(f"dead letter {letter['id']} ({letter['status']})")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    for label, value in (
        ("partner", letter["partner_id"]),
        ("reservation", letter.get("partner_reservation_id")),
        ("property", _where(letter)),
        ("stay", _stay(letter)),
        ("message", letter.get("message_name")),
        ("message type", letter["message_type"]),
        ("consumer", letter["consumer"]),
        ("message id", letter["message_id"]),
        ("correlation id", letter["correlation_id"]),
        ("severity", letter["severity"]),
        ("attempts", letter["attempts"]),
        ("first failure", letter["first_failed_at"]),
        ("last failure", letter["last_failed_at"]),
        ("resolved", letter.get("resolved_at")),
    ):
        facts.add_row(label, "-" if value in (None, "") else str(value))
    out.print(facts)
    out.rule("error")
    out.print(f"{letter['error_class']}: {letter['error_text']}", markup=False, highlight=False)
    history = letter.get("history") or []
    if history:
        table = Table("when", "attempts", "error", title="failures")
        for failure in history:
            table.add_row(
                str(failure.get("at", ""))[:19],
                str(failure.get("attempts", "")),
                f"{failure.get('error_class', '').rsplit('.', 1)[-1]}: {failure.get('error_text', '')}",
            )
        out.print(table)
    if letter["actions"]:
        table = Table("when", "action", "by", "reason", "new message", title="actions")
        for action in letter["actions"]:
            table.add_row(
                str(action["at"])[:19],
                action["action"],
                action["actor"],
                action["reason"] or "-",
                action["new_message_id"] or "-",
            )
        out.print(table)
    if letter["headers"]:
        out.rule("headers")
        out.print(Syntax(json.dumps(letter["headers"], indent=2, default=str), "json"))
    if letter.get("partner_message"):
        out.rule("partner message (cards tokenised at the door)")
        out.print(Syntax(pretty(letter["partner_message"]), "xml", word_wrap=True))
    out.rule("message")
    out.print(Syntax(_readable_body(letter["body"]), "json", word_wrap=True))


def _readable_body(body: str) -> str:
    """The letter's envelope indented; a kept partner message's XML is shown above, not repeated."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return body
    payload = envelope.get("payload") if isinstance(envelope, dict) else None
    if isinstance(payload, dict) and isinstance(payload.get("body"), str):
        payload["body"] = "(the partner message above)"
    return json.dumps(envelope, indent=2, default=str)
