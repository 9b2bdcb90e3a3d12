"""軽微な修正 (spec 4.2.3.2, 規則第11条第3項第2号): what it may change, and the test for "wording only".

A 軽微な修正 is recorded without the 届出 path because it changes how an item is *written*, not
what it *says*. The test, applied item by item (docs/domain.md, "軽微な修正"):

- 氏名 (氏, 名, 旧氏, 通称): the same name in other characters — ``same_name_wording``: as many
  characters, each the same or an 異体字 of the old one (Unihan), IVS and compatibility forms
  folded; the フリガナ is not part of it (a changed reading is a change of name: 職権修正).
- 住所: the same place written otherwise — the new text reads, in the 住所辞書, as the same 町丁目
  (town code), 丁目 and 番地・号 numbers as the current one (8-1 → 8番1号, 全角 → 半角); the
  方書 may change with it (建物の名称の変更). It is rewritten for every member of the 世帯 living
  there, so a 世帯 keeps one 住所.
- 方書, 郵便番号, 選挙, 資格: any value, as before.

住居表示の実施・変更, 地番の変更 and 町名の変更 change the numbers or the town itself for a whole area
at once (spec 9.7, 住所一括変更); they are not a per-person wording change and are refused here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from registry.domain.addresses import AddressError, WardAddress
from registry.domain.errors import RuleViolation, StateConflict
from registry.domain.model import HistoryRow, Person
from registry.domain.wording import CharacterVariants, same_name_wording

if TYPE_CHECKING:
    from registry.domain.planning import RegisterView

NAME_FIELDS = ("family_name", "given_name", "former_surname", "alias")
"""氏名 items whose wording a 軽微な修正 may change (旧氏 and 通称 are written like 氏名)."""

MINOR_FIELDS = frozenset(
    {"address", "address_katagaki", "postal_code", "voter_registered", "qualifications"}
    | set(NAME_FIELDS)
)
"""Items a 軽微な修正 may touch; anything else needs 職権修正 or 誤記修正."""

_NAMES_JA = {"family_name": "氏", "given_name": "名", "former_surname": "旧氏", "alias": "通称"}


def check_minor(changes: Mapping[str, object], person: Person, variants: CharacterVariants) -> None:
    """Refuse a 軽微な修正 that touches other items or changes the meaning of a 氏名."""
    if not set(changes) <= MINOR_FIELDS:
        raise RuleViolation(
            "軽微な修正で変更できるのは氏名・住所の表記と方書・郵便番号・選挙・資格だけです / "
            "a minor correction may change only the wording of names and address, katagaki, "
            "postal code, voter and qualifications"
        )
    if not person.is_resident:
        raise StateConflict(
            "除票に軽微な修正はできません / no minor correction of a removed record"
        )
    for item in NAME_FIELDS:
        old, new = getattr(person, item), changes.get(item, getattr(person, item))
        if old == new:
            continue
        if not (isinstance(old, str) and isinstance(new, str)) or not same_name_wording(
            old, new, variants
        ):
            raise RuleViolation(
                f"{_NAMES_JA[item]}の軽微な修正は同じ文字の字体・表記の修正に限ります。"
                "読みや文字が変わる修正は職権修正で行います / a minor correction of a name may "
                "only write the same characters otherwise; use an ex-officio amendment"
            )


def reworded_address(text: object, person: Person, view: RegisterView) -> WardAddress:
    """Parse a new wording of a person's 住所, refusing one that names another place."""
    if not isinstance(text, str):
        raise RuleViolation("住所は空にできません / the address cannot be cleared")
    new = view.addresses.parse_ward_address(text)
    try:
        old = view.addresses.parse_ward_address(person.address)
    except AddressError:
        old = None
    if old is None or _place(old) != _place(new):
        raise RuleViolation(
            "住所の修正は同じ場所の表記の修正 (町丁目・番地・号が同じ) に限ります。"
            "住所が変わるときは転居です / an address may only be reworded for the same place; "
            "a new place is a move"
        )
    return new


def _place(address: WardAddress) -> tuple[object, ...]:
    return (address.town_code, address.chome, address.banchi_numbers)


def housemates(row: HistoryRow, view: RegisterView) -> list[HistoryRow]:
    """Return the other resident members of a person's 世帯 living at the same 住所."""
    return [
        other
        for other in view.current.values()
        if other.atena_no != row.atena_no
        and other.person.is_resident
        and other.person.household_no == row.person.household_no
        and other.person.address == row.person.address
    ]
