"""Plan changes about persons: 記載 (転入・出生・職権記載), 修正, 在留, 帰化・国籍喪失."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from jumin_contracts.codes import HEAD, ChangeKind, ResidentType
from jumin_contracts.dates import PartialDate

from registry.domain.addresses import AddressBook, WardAddress
from registry.domain.change_requests import (
    Amendment,
    EntryChange,
    ForeignDetails,
    LossOfNationality,
    Naturalization,
    NewPerson,
    RemovalChange,
    ResidenceStatusChange,
)
from registry.domain.errors import NotFound, RuleViolation, StateConflict
from registry.domain.model import HistoryRow, Person, Qualifications, RecordStatus
from registry.domain.planning.minor import check_minor, housemates, reworded_address
from registry.domain.rules import (
    PlannedRow,
    check_birth_date,
    check_foreign_details,
    check_kana,
    check_numbers,
    check_relationship,
    check_resident_type_items,
)

if TYPE_CHECKING:
    from registry.domain.planning import RegisterView

_REQUIRED_ITEMS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "birth_date",
    "sex",
    "voter_registered",
    "qualifications",
)
"""Items every record has: a correction (PersonPatch) may change but not clear them."""

_ORIGIN_RULES: dict[ChangeKind, tuple[set[ResidentType], str | None]] = {
    ChangeKind.DOMESTIC_MOVE_IN: ({ResidentType.JAPANESE, ResidentType.FOREIGN}, "domestic"),
    ChangeKind.MOVE_IN_FROM_ABROAD: ({ResidentType.JAPANESE}, "abroad"),
    ChangeKind.FOREIGN_MOVE_IN_30_46: ({ResidentType.FOREIGN}, "abroad_optional"),
    ChangeKind.BIRTH: ({ResidentType.JAPANESE, ResidentType.FOREIGN}, None),
    ChangeKind.EX_OFFICIO_ENTRY: ({ResidentType.JAPANESE, ResidentType.FOREIGN}, "optional"),
}


def plan_entry(request: EntryChange, view: RegisterView, *, ex_officio: bool) -> list[PlannedRow]:
    """Enter new persons, as a new household or into an existing one (spec 4.1)."""
    allowed_types, _ = _ORIGIN_RULES[request.kind]
    previous = _previous_address(request, view.addresses)
    for new in request.persons:
        _check_new_person(new, allowed_types, request, view.today)
    household_no, place = _entry_household(request, view)
    rows = []
    for new in request.persons:
        person = _person_from(new, request, household_no=household_no, place=place)
        person = person.evolve(previous_address=previous)
        rows.append(PlannedRow(view.allocate_atena_no(), person, ex_officio))
    return rows


def _previous_address(request: EntryChange, addresses: AddressBook) -> str | None:
    _, origin = _ORIGIN_RULES[request.kind]
    domestic, country = request.previous_address, request.previous_country
    if origin == "domestic":
        if domestic is None or country is not None:
            raise RuleViolation("国内転入には従前の住所が必要です / previous address required")
        return addresses.check_outside_address(domestic).full_text
    if origin == "abroad":
        if country is None:
            raise RuleViolation(
                "国外からの転入には従前の国・地域が必要です / previous country required"
            )
        return addresses.check_foreign_address(country, domestic or "").full_text
    if origin == "abroad_optional":  # spec 4.5.1: 従前の住所 may be left blank
        if domestic is not None and country is None:
            raise RuleViolation("国外の住所には国・地域が必要です / give the country")
        return (
            addresses.check_foreign_address(country, domestic or "").full_text if country else None
        )
    if origin is None and (domestic or country):
        raise RuleViolation("出生に従前の住所はありません / a birth has no previous address")
    if domestic is not None:
        return addresses.check_outside_address(domestic).full_text
    return addresses.check_foreign_address(country, "").full_text if country else None


def _check_new_person(
    new: NewPerson, allowed: set[ResidentType], request: EntryChange, today: date
) -> None:
    if new.resident_type not in allowed:
        raise RuleViolation(
            f"{request.kind.japanese}で記載できない住民の種別です / wrong resident type for this kind"
        )
    check_resident_type_items(
        resident_type=new.resident_type, honseki=new.honseki, foreign=new.foreign
    )
    if new.foreign is not None:
        check_foreign_details(new.foreign, today)
    check_kana(new.family_name_kana, new.given_name_kana, new.former_surname_kana)
    check_birth_date(new.birth_date, today)
    check_numbers(my_number=new.my_number, juminhyo_code=new.juminhyo_code)
    check_relationship(new.relationship, head=new.relationship == HEAD)
    if request.kind is ChangeKind.BIRTH:
        _check_newborn(new, request)


def _check_newborn(new: NewPerson, request: EntryChange) -> None:
    if new.birth_date != request.occurred_on or not new.birth_date.is_exact:
        raise RuleViolation(
            "出生の異動日は生年月日と同じです / a birth occurs on the date of birth"
        )
    if new.my_number is not None or new.juminhyo_code is not None:
        raise RuleViolation(
            "出生者の住民票コード・個人番号は後から付番されます / "
            "a newborn's codes are assigned after approval"
        )


def _entry_household(request: EntryChange, view: RegisterView) -> tuple[str, Person | WardAddress]:
    heads = [p for p in request.persons if p.relationship == HEAD]
    if request.join_household_no is not None:
        if heads or request.address is not None:
            raise RuleViolation(
                "既存世帯へ入る場合は世帯主・住所を入力しません / "
                "joining a household takes its head and address"
            )
        head = _head_of(request.join_household_no, view)
        return request.join_household_no, head
    if request.kind is ChangeKind.BIRTH:
        raise RuleViolation(
            "出生者は既存の世帯に記載します / a newborn joins an existing household"
        )
    if len(heads) != 1 or request.address is None:
        raise RuleViolation(
            "新しい世帯には世帯主1人と住所が必要です / a new household needs one head and an address"
        )
    return view.allocate_household_no(), view.addresses.parse_ward_address(request.address)


def _head_of(household_no: str, view: RegisterView) -> Person:
    for row in view.members(household_no):
        if row.person.is_head:
            return row.person
    raise NotFound(f"世帯番号 {household_no} の世帯主がいません / household has no head")


def address_items(place: Person | WardAddress) -> dict[str, object]:
    """Return the 住所 items of a ward address, or copy them from a household member."""
    if isinstance(place, Person):
        return {
            "address": place.address,
            "address_town_code": place.address_town_code,
            "address_katagaki": place.address_katagaki,
            "postal_code": place.postal_code,
        }
    return {
        "address": place.full_text,
        "address_town_code": place.town_code,
        "address_katagaki": place.katagaki,
        "postal_code": place.postal_code,
    }


def _person_from(
    new: NewPerson, request: EntryChange, *, household_no: str, place: Person | WardAddress
) -> Person:
    japanese = new.resident_type is ResidentType.JAPANESE
    return Person(
        resident_type=new.resident_type,
        household_no=household_no,
        is_head=new.relationship == HEAD,
        relationship=new.relationship,
        family_name=new.family_name,
        given_name=new.given_name,
        family_name_kana=new.family_name_kana,
        given_name_kana=new.given_name_kana,
        former_surname=new.former_surname,
        former_surname_kana=new.former_surname_kana,
        birth_date=new.birth_date,
        sex=new.sex,
        honseki=new.honseki,
        hittosha=new.hittosha,
        became_resident_on=request.occurred_on if japanese else None,
        became_foreign_resident_on=None if japanese else request.occurred_on,
        address_since=request.occurred_on,
        notified_on=request.notified_on,
        my_number=new.my_number,
        juminhyo_code=new.juminhyo_code,
        voter_registered=new.voter_registered,
        qualifications=Qualifications(**new.qualifications.model_dump()),
        **address_items(place),  # type: ignore[arg-type]
        **foreign_items(new.foreign),  # type: ignore[arg-type]
    )


def foreign_items(details: ForeignDetails | None) -> dict[str, object]:
    """Return the foreign-resident items of a record (all None for a Japanese resident)."""
    if details is None:
        return {name: None for name in _FOREIGN_FIELDS}
    return details.model_dump(include=set(_FOREIGN_FIELDS))


_FOREIGN_FIELDS = (
    "nationality",
    "name_alphabet",
    "foreign_category",
    "status_of_residence",
    "period_of_stay",
    "stay_expires_on",
    "residence_card_no",
    "special_permanent_cert_no",
    "alias",
    "alias_kana",
)


def removal_destination(request: RemovalChange, addresses: AddressBook) -> str | None:
    """Check the 転出先 a removal needs: domestic for 国内転出, a country for 国外転出."""
    domestic, country = request.destination, request.destination_country
    if request.kind is ChangeKind.DOMESTIC_MOVE_OUT:
        if domestic is None or country is not None:
            raise RuleViolation("国内転出には転出先の住所が必要です / destination required")
        return addresses.check_outside_address(domestic).full_text
    if request.kind is ChangeKind.MOVE_OUT_ABROAD:
        if country is None:
            raise RuleViolation(
                "国外転出には転出先の国・地域が必要です / destination country required"
            )
        return addresses.check_foreign_address(country, domestic or "").full_text
    if domestic is not None or country is not None:
        raise RuleViolation(
            f"{request.kind.japanese}に転出先は入力しません / no destination for this kind"
        )
    return None


def planned_move_out_on(request: RemovalChange) -> date | None:
    """Return the 転出予定日 of a 転出 (国内・国外: its 異動日), else None."""
    if request.kind in {ChangeKind.DOMESTIC_MOVE_OUT, ChangeKind.MOVE_OUT_ABROAD}:
        return request.occurred_on.sort_key()
    return None


def plan_amendment(request: Amendment, view: RegisterView) -> list[PlannedRow]:
    """Correct one person's items (職権修正・誤記修正・軽微な修正, spec 4.2.3)."""
    row = view.current.get(request.atena_no)
    if row is None or row.person.status is RecordStatus.VOID:
        raise NotFound(f"宛名番号 {request.atena_no} の住民はいません / no such resident")
    changes = request.patch.model_dump(exclude_unset=True)
    if "birth_date" in changes:  # model_dump turns a PartialDate into its storage text
        changes["birth_date"] = request.patch.birth_date
    if request.kind is ChangeKind.MINOR_CORRECTION:
        check_minor(changes, row.person, view.variants)
    elif "address" in changes:
        raise RuleViolation(
            "住所の表記は軽微な修正で改めます。住所が変わるときは転居です / "
            "reword an address by a minor correction; a new address is a move"
        )
    if "address" in changes:
        return _reword_address(request, row, changes, view)
    changes = _effective_changes(changes, row.person)
    if "address_katagaki" in changes:  # the printed 住所 ends with the 方書 (WardAddress.full_text)
        street, katagaki = row.person.address.split(" ")[0], changes["address_katagaki"]
        changes["address"] = f"{street} {katagaki}" if katagaki else street
    updated = row.person.evolve(**changes)
    _check_amended(updated, view.today)
    return [PlannedRow(request.atena_no, updated, ex_officio=True)]


def _reword_address(
    request: Amendment, row: HistoryRow, changes: dict[str, object], view: RegisterView
) -> list[PlannedRow]:
    """Rewrite the 住所 of everyone in the 世帯 living there; the person's other items as asked."""
    new = reworded_address(changes.pop("address"), row.person, view)
    katagaki = changes.pop("address_katagaki", new.katagaki or row.person.address_katagaki)
    place = replace(new, katagaki=str(katagaki) if katagaki else None)
    wording = {k: v for k, v in address_items(place).items() if k != "postal_code"}
    changes = _effective_changes({**wording, **changes}, row.person)
    updated = row.person.evolve(**changes)
    _check_amended(updated, view.today)
    others = [
        PlannedRow(other.atena_no, other.person.evolve(**wording), ex_officio=True)
        for other in housemates(row, view)
    ]
    return [PlannedRow(request.atena_no, updated, ex_officio=True), *others]


def _effective_changes(changes: dict[str, object], person: Person) -> dict[str, object]:
    if "qualifications" in changes and isinstance(changes["qualifications"], dict):
        changes["qualifications"] = Qualifications(**changes["qualifications"])
    effective = {k: v for k, v in changes.items() if getattr(person, k) != v}
    if not effective:
        raise RuleViolation("変更する項目がありません / nothing to change")
    return effective


def _check_amended(person: Person, today: date) -> None:
    if any(getattr(person, item) is None for item in _REQUIRED_ITEMS):
        raise RuleViolation(
            "氏名・フリガナ・生年月日・性別・選挙・資格は空にできません / "
            "names, furigana, date of birth, sex, voter and qualifications cannot be cleared"
        )
    check_kana(
        person.family_name_kana,
        person.given_name_kana,
        person.former_surname_kana,
        person.alias_kana,
    )
    check_birth_date(person.birth_date, today)
    japanese = person.resident_type is ResidentType.JAPANESE
    if japanese and (person.nationality or person.alias or person.name_alphabet):
        raise RuleViolation(
            "日本人住民に国籍・通称・アルファベット氏名は記載しません / foreign-only items given"
        )
    if not japanese and (person.honseki or person.hittosha):
        raise RuleViolation(
            "外国人住民に本籍・筆頭者は記載しません / a foreign resident has no honseki"
        )


def require_type(person: Person, expected: ResidentType, kind: ChangeKind) -> None:
    """Refuse a change meant for the other kind of resident."""
    if person.resident_type is not expected:
        raise StateConflict(
            f"{kind.japanese}の対象ではない住民です / wrong resident type for this kind"
        )


def plan_residence_status(
    request: ResidenceStatusChange, person: Person, *, today: date, atena_no: str
) -> PlannedRow:
    """Record a new 在留資格・期間・カード番号 (法第30条の47, spec 4.5.2)."""
    require_type(person, ResidentType.FOREIGN, request.kind)
    check_foreign_details(request.foreign, today)
    updated = person.evolve(**foreign_items(request.foreign))
    if updated == person:
        raise RuleViolation("変更する項目がありません / nothing to change")
    return PlannedRow(atena_no, updated, ex_officio=False)


def naturalized(request: Naturalization, person: Person) -> Person:
    """Return the new Japanese record of a naturalised person (帰化による職権記載)."""
    check_kana(request.family_name_kana, request.given_name_kana)
    return person.evolve(
        resident_type=ResidentType.JAPANESE,
        family_name=request.family_name,
        given_name=request.given_name,
        family_name_kana=request.family_name_kana,
        given_name_kana=request.given_name_kana,
        honseki=request.honseki,
        hittosha=request.hittosha,
        # spec 4.5.3: 外国人住民となった年月日 is carried over as 住民となった日
        became_resident_on=person.became_foreign_resident_on or request.occurred_on,
        became_foreign_resident_on=None,
        **foreign_items(None),
    )


def denaturalized(request: LossOfNationality, person: Person, *, today: date) -> Person:
    """Return the new foreign record of a person who lost Japanese nationality (国籍喪失)."""
    check_foreign_details(request.foreign, today)
    return person.evolve(
        resident_type=ResidentType.FOREIGN,
        honseki=None,
        hittosha=None,
        former_surname=None,
        former_surname_kana=None,
        became_resident_on=None,
        became_foreign_resident_on=_later(request.occurred_on, person.became_resident_on),
        **foreign_items(request.foreign),
    )


def plan_nationality_switch(
    row: HistoryRow, opened: Person, request: Naturalization | LossOfNationality
) -> list[PlannedRow]:
    """Close the old record and open the new one, keeping 宛名番号, 住所 and the codes."""
    closed = row.person.evolve(
        status=RecordStatus.REMOVED, removed_on=request.occurred_on, removal_kind=request.kind
    )
    return [PlannedRow(row.atena_no, closed, True), PlannedRow(row.atena_no, opened, True)]


def _later(loss: PartialDate, became_resident: PartialDate | None) -> PartialDate:
    """Return the later of 国籍を失った日 and 住民となった日 (spec 4.5.5)."""
    if became_resident is None or loss.sort_key() >= became_resident.sort_key():
        return loss
    return became_resident
