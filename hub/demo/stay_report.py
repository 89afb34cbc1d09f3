"""What the demo shows of the stay: the folio as the invoice prints it, the ERP's closed day, the checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from hub.demo.stay_checks import Check

Row = dict[str, Any]
SHORT_REFERENCE = 24  # a gateway's or a POS's reference; the audit's own are long and say nothing new


def folio_table(folio: Row) -> Table:
    """Every line in posting order (date, code, what, amount), then the totals and the balance."""
    invoice = folio["invoice_number"]
    table = Table(
        title=f"Folio {str(folio['folio_id'])[:8]} ({folio['kind']}, {folio['status']}"
        + (f", invoice {invoice})" if invoice is not None else ")"),
        title_justify="left",
    )
    table.add_column("date", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("line", overflow="ellipsis", no_wrap=True, max_width=36)
    table.add_column("amount", justify="right", no_wrap=True)
    for line in folio["lines"]:
        what = line["description"] or line["kind"]
        if line["quantity"] != 1:
            what = f"{line['quantity']} x {line['unit_amount']} {what}"
        reference = line.get("reference") or ""
        if reference and len(reference) <= SHORT_REFERENCE:
            what += f" ({reference})"
        table.add_row(line["business_date"], line["transaction_code"], what, line["amount"])
    totals = folio["totals"]
    table.add_section()
    for name in ("charges", "taxes", "payments"):
        table.add_row("", "", name, str(totals[name]))
    table.add_row("", "", f"[bold]balance {folio['currency']}[/bold]", f"[bold]{folio['balance']}[/bold]")
    return table


def _lines(title: str, rows: Sequence[Row], code: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(code)
    table.add_column("GL account")
    table.add_column("amount", justify="right")
    for row in rows:
        table.add_row(row[code], row["gl_account"], row["amount"])
    return table


def erp_tables(day: Row) -> Group:
    """The closed day as the ERP pulled it: revenue, taxes, payments, ledgers, statistics, totals."""
    ledgers = Table(title="Ledgers", title_justify="left")
    for column in ("ledger", "opening", "debits", "credits", "closing"):
        ledgers.add_column(column, justify="left" if column == "ledger" else "right")
    for row in day["ledgers"]:
        ledgers.add_row(row["ledger"], row["opening"], row["debits"], row["credits"], row["closing"])
    stats = Table(title="Statistics and totals", title_justify="left", show_header=False)
    stats.add_column("what")
    stats.add_column("value", justify="right")
    for name, value in {**day["statistics"], **{f"total {k}": v for k, v in day["totals"].items()}}.items():
        stats.add_row(name, str(value))
    return Group(
        f"[bold]The finance ERP's view of {day['business_date']}[/bold] "
        f"({day['currency']}, closed {day['closed_at']})",
        _lines("Revenue", day["revenue"], "department"),
        _lines("Taxes", day["taxes"], "tax_code"),
        _lines("Payments", day["payments"], "method"),
        ledgers,
        stats,
    )


def print_checks(console: Console, checks: Sequence[Check]) -> None:
    """Which stay checks were made and held, failed, or were left out (and why)."""
    for check in checks:
        if not check.checked:
            console.print(f"stay check: [yellow]not checked[/yellow] {check.claim} ({check.why_not})")
        elif check.problems:
            console.print(f"stay check: [red]failed[/red] {check.claim}")
        else:
            console.print(f"stay check: [green]ok[/green] {check.claim}")


def stay_progress(console: Console) -> Progress:
    """The stay's progress bar, drawn like the other scenes'."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def webhooks_line(sent: Sequence[tuple[str, int]]) -> str:
    """How many signed webhooks the gateway sent the hub, and how they were answered."""
    answers = Counter(status for _, status in sent)
    return f"stay: the gateway sent {len(sent)} signed webhook(s) to the hub, answered " + ", ".join(
        f"{n} x HTTP {status}" for status, n in sorted(answers.items())
    )
