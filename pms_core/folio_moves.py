"""Moving folio lines: a transfer to another folio, a split into parts; taxes follow their charge."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from canonical.folio import FolioLine, LineKind
from canonical.folio_codes import CodeKind
from canonical.money import allocate, exact
from pms_core.folio_errors import FolioRefused
from pms_core.folios import Folio, Posting, copy_line, negated, reverse_lines


def transfer(source: Folio, target: Folio, line_ids: tuple[UUID, ...], when: Posting) -> list[FolioLine]:
    """Move charges (with their taxes) and payments to another open folio of the same currency."""
    source.ensure_open()
    target.ensure_open()
    if source.id == target.id:
        raise FolioRefused("a transfer needs two different folios")
    if source.currency != target.currency:
        raise FolioRefused(f"folio {target.id} is in {target.currency}, not {source.currency}")
    if len(set(line_ids)) != len(line_ids):
        raise FolioRefused("a line is named twice in the transfer")
    outs: list[FolioLine] = []
    ins: list[FolioLine] = []
    for line_id in line_ids:
        head = source.open_line(line_id)
        head_out = negated(
            head, source, LineKind.TRANSFER_OUT, when, moved_line_id=head.id, counterpart_folio_id=target.id
        )
        head_in = copy_line(
            head,
            target,
            kind=LineKind.TRANSFER_IN,
            business_date=when.business_date,
            posted_at=when.at,
            moved_line_id=head_out.id,
            counterpart_folio_id=source.id,
        )
        outs.append(head_out)
        ins.append(head_in)
        for tax in source.taxes_of(head):
            tax_out = negated(
                tax,
                source,
                LineKind.TRANSFER_OUT,
                when,
                moved_line_id=tax.id,
                counterpart_folio_id=target.id,
                charge_line_id=head_out.id,
            )
            outs.append(tax_out)
            ins.append(
                copy_line(
                    tax,
                    target,
                    kind=LineKind.TRANSFER_IN,
                    business_date=when.business_date,
                    posted_at=when.at,
                    moved_line_id=tax_out.id,
                    counterpart_folio_id=source.id,
                    charge_line_id=head_in.id,
                )
            )
    return source.post(outs) + target.post(ins)


def _split_amounts(
    line: FolioLine, parts: tuple[Decimal, ...], into: int | None, currency: str
) -> list[Decimal]:
    if into is not None:
        return allocate(line.amount, [Decimal(1)] * into, currency)
    try:
        amounts = [exact(part, currency) for part in parts]
    except ValueError as err:
        raise FolioRefused(str(err)) from None
    if sum(amounts, Decimal(0)) != line.amount:
        raise FolioRefused(f"the parts add up to {sum(amounts)}, the line is {line.amount} {currency}")
    if any(part == 0 or (part < 0) != (line.amount < 0) for part in amounts):
        raise FolioRefused("every part must be non-zero and of the line's sign")
    return amounts


def split(
    folio: Folio, line_id: UUID, parts: tuple[Decimal, ...], into: int | None, when: Posting
) -> list[FolioLine]:
    """Split a charge (its taxes shared in proportion) or a payment into parts adding up to it."""
    folio.ensure_open()
    head = folio.open_line(line_id)
    amounts = _split_amounts(head, parts, into, folio.currency)
    if 0 in amounts:
        raise FolioRefused(f"{head.amount} {folio.currency} does not split into {len(amounts)} parts")
    reason = when.reason or "split"
    lines = [*reverse_lines(folio, head, when, reason)]
    kind = LineKind.CHARGE if head.code_kind is CodeKind.CHARGE else LineKind.PAYMENT
    weights = [abs(amount) for amount in amounts]
    taxes = folio.taxes_of(head)
    shares = [allocate(tax.amount, weights, folio.currency) for tax in taxes]
    for index, amount in enumerate(amounts):
        part = copy_line(
            head,
            folio,
            kind=kind,
            amount=amount,
            unit_amount=amount,
            quantity=1,
            business_date=when.business_date,
            posted_at=when.at,
            split_of=head.id,
        )
        lines.append(part)
        for tax, share in zip(taxes, shares, strict=True):
            if share[index] != 0:
                lines.append(
                    copy_line(
                        tax,
                        folio,
                        kind=LineKind.TAX,
                        amount=share[index],
                        unit_amount=share[index],
                        quantity=1,
                        business_date=when.business_date,
                        posted_at=when.at,
                        split_of=tax.id,
                        charge_line_id=part.id,
                    )
                )
    return folio.post(lines)
