"""A property's `folio:` section: the demo's codes load as a code book; every mistake names its code."""

from __future__ import annotations

from decimal import Decimal

from config_files import DEMO_ENV, ConfigFiles, Data

from canonical.folio_codes import CodeKind
from hub.config import load_config


def _codes(data: Data) -> list[Data]:
    codes: list[Data] = data["properties"][0]["folio"]["transaction_codes"]
    return codes


def _code(data: Data, code: str) -> Data:
    return next(entry for entry in _codes(data) if entry["code"] == code)


def test_given_the_demo_when_loaded_then_room_bears_vat_and_city_tax_and_deposits_are_marked(
    files: ConfigFiles,
) -> None:
    prop = load_config(files.path, environ=DEMO_ENV).properties[0]
    assert prop.folio is not None

    book = prop.folio.code_book(prop.code, prop.currency)

    room = book.find("ROOM")
    assert room is not None and [tax.code for tax in book.taxes_of(room)] == ["VAT10", "CITYTAX"]
    assert {c.code for c in book.codes if c.kind is CodeKind.PAYMENT} >= {"CASH", "CARD", "TRANSFER"}
    assert [c.code for c in book.codes if c.deposit] == ["DEPOSIT"]
    assert book.find("CITYTAX") is not None and book.find("CITYTAX").per_person_night == Decimal("2.50")  # type: ignore[union-attr]


def test_given_several_mistakes_in_the_codes_when_checked_then_each_is_reported_at_its_key_naming_its_code(
    files: ConfigFiles,
) -> None:
    def mistakes(data: Data) -> None:
        _code(data, "ROOM")["taxes"] = ["VAT1O", "CITYTAX"]
        _code(data, "CITYTAX")["per_person_night"] = "2.505"
        del _code(data, "FNB")["department"]
        _codes(data).append({"code": "CASH", "kind": "payment", "name": "Cash again", "gl_account": 1001})

    files.edit(mistakes)

    reasons = {problem.key: problem.reason for problem in files.problems()}
    at = "properties[0].folio.transaction_codes"
    assert reasons == {
        f"{at}[3].taxes[0]": "transaction code 'ROOM': unknown tax code 'VAT1O' (did you mean 'VAT10'?)",
        f"{at}[2].per_person_night": "transaction code 'CITYTAX': 2.505 is not an amount of EUR (2 decimal places)",
        f"{at}[4]": "transaction code 'FNB': a charge code needs a department",
        f"{at}[11].code": "duplicate transaction code 'CASH' (first at transaction_codes[7])",
    }


def test_given_a_payment_code_bearing_a_tax_when_checked_then_refused_naming_it(files: ConfigFiles) -> None:
    files.edit(lambda data: _code(data, "CASH").update(taxes=["VAT10"]))

    [problem] = files.problems()

    assert problem.reason == "transaction code 'CASH': only a charge code bears taxes"
    assert "CASH" in files.line_text(problem)
