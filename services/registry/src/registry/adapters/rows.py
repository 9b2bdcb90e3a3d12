"""Map history rows (異動履歴) between domain objects and the columns of registry.resident_history."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from jumin_contracts.codes import ChangeKind, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.dates import PartialDate
from jumin_platform.my_number_vault import MyNumberVault, is_sealed

from registry.domain.model import HistoryRow, KosekiBasis, Person, Qualifications, RecordStatus
from registry.domain.search_keys import SEARCH_KEYS_VERSION

_PERSON_FIELDS = tuple(f.name for f in dataclasses.fields(Person))

_READERS: dict[str, Callable[[Any], Any]] = {
    "status": RecordStatus,
    "resident_type": ResidentType,
    "sex": Sex,
    "foreign_category": ForeignResidentCategory,
    "removal_kind": ChangeKind,
    "qualifications": lambda value: Qualifications(**value),
    "birth_date": PartialDate.from_storage,
    "became_resident_on": PartialDate.from_storage,
    "became_foreign_resident_on": PartialDate.from_storage,
    "address_since": PartialDate.from_storage,
    "removed_on": PartialDate.from_storage,
}


def _json_value(value: object) -> object:
    if isinstance(value, PartialDate):
        return value.to_storage()
    if isinstance(value, Qualifications):
        return dataclasses.asdict(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def seal_my_number(row: HistoryRow, vault: MyNumberVault) -> HistoryRow:
    """Seal a 個人番号 entered in plain digits, with its lookup hash; sealed ones pass through."""
    person = row.person
    if person.my_number is None or is_sealed(person.my_number):
        return row
    sealed = person.evolve(
        my_number=vault.seal(person.my_number, atena_no=row.atena_no),
        my_number_hash=vault.lookup_hash(person.my_number),
    )
    return dataclasses.replace(row, person=sealed)


def history_to_json(row: HistoryRow) -> dict[str, object]:
    """Return the columns of one (sealed) history row as JSON values (jsonb_populate_recordset)."""
    person = row.person
    columns: dict[str, object] = {name: getattr(person, name) for name in _PERSON_FIELDS}
    columns.update(
        atena_no=row.atena_no,
        history_no=row.history_no,
        change_id=row.change_id,
        change_kind=row.change_kind,
        occurred_on=row.occurred_on,
        occurred_on_sort=row.occurred_on.sort_key(),
        recorded_at=row.recorded_at,
        ex_officio=row.ex_officio,
        birth_date_sort=person.birth_date.sort_key(),
    )
    values = {name: _json_value(value) for name, value in columns.items()}
    basis = row.koseki_basis
    values["koseki_basis"] = None if basis is None else _basis_json(basis)
    return values


def _basis_json(basis: KosekiBasis) -> dict[str, object]:
    return {name: _json_value(value) for name, value in dataclasses.asdict(basis).items()}


def _basis_from(value: Mapping[str, Any] | None) -> KosekiBasis | None:
    if value is None:
        return None
    notice = value.get("notice_received_on")
    return KosekiBasis(
        filing=value["filing"],
        filed_on=date.fromisoformat(value["filed_on"]),
        accepted_on=date.fromisoformat(value["accepted_on"]),
        accepted_at=value.get("accepted_at"),
        sent_from=value.get("sent_from"),
        notice_received_on=date.fromisoformat(notice) if notice else None,
    )


def _read(name: str, value: Any) -> Any:
    if value is None or name not in _READERS:
        return value
    return _READERS[name](value)


def history_from_record(record: Mapping[str, Any]) -> HistoryRow:
    """Build a history row from a database record of registry.resident_history."""
    person = Person(**{name: _read(name, record[name]) for name in _PERSON_FIELDS})
    return HistoryRow(
        atena_no=record["atena_no"],
        history_no=record["history_no"],
        change_id=record["change_id"],
        change_kind=ChangeKind(record["change_kind"]),
        occurred_on=PartialDate.from_storage(record["occurred_on"]),
        recorded_at=record["recorded_at"],
        ex_officio=record["ex_officio"],
        person=person,
        koseki_basis=_basis_from(record.get("koseki_basis")),
    )


def current_to_json(row: HistoryRow) -> dict[str, object]:
    """Return the search-index columns (registry.resident_current) of a person's latest row."""
    person = row.person
    return {
        "atena_no": row.atena_no,
        "history_no": row.history_no,
        "occurred_on_sort": row.occurred_on.sort_key().isoformat(),
        "status": person.status.value,
        "household_no": person.household_no,
        "is_head": person.is_head,
        "kana_key": person.kana_key,
        "kana_loose_key": person.kana_key_ignoring_voicing,
        "name_key": person.name_key,
        "search_keys_version": SEARCH_KEYS_VERSION,
        "birth_date_sort": person.birth_date.sort_key().isoformat(),
        "address": person.address,
        "juminhyo_code": person.juminhyo_code,
        "my_number_hash": person.my_number_hash,
    }
