"""History rows of the synthetic ward: 履歴番号 1.. of each person, as the registry writes them."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from jumin_contracts.codes import ChangeKind, ResidentType
from jumin_contracts.dates import PartialDate
from registry.adapters.rows import current_to_json, history_to_json
from registry.domain.model import HistoryRow, Person, RecordStatus
from registry.domain.search_keys import kana_search_key

if TYPE_CHECKING:
    from jumin_platform.my_number_vault import MyNumberVault
from bench.synthetic_ward.dates import draw_filed, draw_recorded_at
from bench.synthetic_ward.households import Member, Timeline
from bench.synthetic_ward.places import Place
from bench.synthetic_ward.state import ResidentSample, Ward

_OUTSIDE = (
    "東京都中野区中野四丁目", "東京都渋谷区宇田川町", "東京都豊島区南池袋二丁目",
    "東京都杉並区阿佐谷南一丁目", "東京都練馬区豊玉北六丁目", "神奈川県川崎市中原区小杉町三丁目",
    "埼玉県さいたま市浦和区高砂三丁目", "千葉県船橋市湊町二丁目", "大阪府大阪市北区梅田一丁目",
    "愛知県名古屋市中村区名駅一丁目",
)  # fmt: skip
_ABROAD = ("米国", "英国", "シンガポール", "オーストラリア", "ドイツ")


def add_person(
    ward: Ward,
    atena_no: str,
    member: Member,
    person: Person,
    timeline: Timeline,
    arrival: ChangeKind,
) -> None:
    """Write a person's history rows and current row, and remember a sample."""
    rows = list(_history(ward, atena_no, member, person, timeline, arrival))
    sealed = _sealed_number(ward.vault, atena_no, person.my_number)
    out = ward.out
    out.history.extend(ward.history_shape.record(history_to_json(r) | sealed) for r in rows)
    out.current.append(ward.current_shape.record(current_to_json(rows[-1]) | sealed))
    entered_on = rows[0].occurred_on.sort_key()
    kana = kana_search_key(person.family_name_kana)
    out.residents.append(ResidentSample(atena_no, kana, entered_on, len(rows)))
    for row in rows:
        ward.change_rows[row.change_id] = ward.change_rows.get(row.change_id, 0) + 1


def _sealed_number(
    vault: MyNumberVault | None, atena_no: str, my_number: str | None
) -> dict[str, object]:
    """Return the stored 個人番号 columns (sealed value, lookup hash), or {} without a vault."""
    if vault is None:
        return {}
    if my_number is None:
        return {"my_number_hash": None}
    return {
        "my_number": vault.seal(my_number, atena_no=atena_no),
        "my_number_hash": vault.lookup_hash(my_number),
    }


def _history(
    ward: Ward,
    atena_no: str,
    member: Member,
    person: Person,
    timeline: Timeline,
    arrival: ChangeKind,
) -> Iterator[HistoryRow]:
    """Yield 履歴番号 1.. : the entry (転入 or 出生), each later 転居, the 転出 if any."""
    rng = ward.rng
    born_here = member.birth > timeline.formed_on
    entered_on = member.birth if born_here else timeline.formed_on
    kind = ChangeKind.BIRTH if born_here else arrival
    notified, recorded = draw_filed(rng, entered_on)
    current = _entered(rng, person, kind, entered_on, timeline.place_on(entered_on), notified)
    yield _row(atena_no, 1, ward.changes.entry, kind, entered_on, recorded, current)
    history_no = 1
    for moved_on, place in timeline.places[1:]:
        if moved_on <= entered_on:
            continue
        notified, recorded = draw_filed(rng, moved_on)
        current = current.evolve(
            **_place_items(place), address_since=PartialDate.exact(moved_on), notified_on=notified
        )
        history_no += 1
        yield _row(atena_no, history_no, ward.changes.move, ChangeKind.MOVE_WITHIN_WARD,
                   moved_on, recorded, current)  # fmt: skip
    if timeline.moved_out_on is not None:
        current = _moved_out(rng, current, timeline.moved_out_on)
        recorded = draw_recorded_at(rng, current.notified_on or timeline.moved_out_on)
        yield _row(atena_no, history_no + 1, ward.changes.removal, ChangeKind.DOMESTIC_MOVE_OUT,
                   timeline.moved_out_on, recorded, current)  # fmt: skip


def _row(
    atena_no: str,
    history_no: int,
    change_id: uuid.UUID,
    kind: ChangeKind,
    occurred_on: date,
    recorded_at: datetime,
    person: Person,
) -> HistoryRow:
    """Build one approved, filed (not 職権) history row."""
    return HistoryRow(
        atena_no=atena_no,
        history_no=history_no,
        change_id=change_id,
        change_kind=kind,
        occurred_on=PartialDate.exact(occurred_on),
        recorded_at=recorded_at,
        ex_officio=False,
        person=person,
    )


def _place_items(place: Place) -> dict[str, Any]:
    """Return the 住所 items of a Person for a place."""
    return {
        "address": place.address,
        "address_town_code": place.town_code,
        "address_katagaki": place.katagaki,
        "postal_code": place.postal_code,
    }


def _entered(
    rng: random.Random, person: Person, kind: ChangeKind, on: date, place: Place, notified: date
) -> Person:
    """Return the record as entered: address, 住所を定めた日, 住民となった日, 従前の住所."""
    japanese = person.resident_type is ResidentType.JAPANESE
    since = PartialDate.exact(on)
    return person.evolve(
        **_place_items(place),
        address_since=since,
        notified_on=notified,
        previous_address=_previous_address(rng, kind, person),
        became_resident_on=since if japanese else None,
        became_foreign_resident_on=None if japanese else since,
    )


def _previous_address(rng: random.Random, kind: ChangeKind, person: Person) -> str | None:
    """Return 従前の住所: another municipality, a country, or none for a birth."""
    if kind is ChangeKind.BIRTH:
        return None
    if kind is ChangeKind.FOREIGN_MOVE_IN_30_46:
        return person.nationality
    if kind is ChangeKind.MOVE_IN_FROM_ABROAD:
        return rng.choice(_ABROAD)
    return f"{rng.choice(_OUTSIDE)}{rng.randint(1, 30)}番{rng.randint(1, 20)}号"


def _moved_out(rng: random.Random, person: Person, on: date) -> Person:
    """Return the record after a 国内転出 (除票): removed, with 転出予定日 and 転出先."""
    destination = f"{rng.choice(_OUTSIDE)}{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
    return person.evolve(
        status=RecordStatus.REMOVED,
        removed_on=PartialDate.exact(on),
        removal_kind=ChangeKind.DOMESTIC_MOVE_OUT,
        planned_move_out_on=on,
        move_out_destination=destination,
        notified_on=on - timedelta(days=rng.randint(0, 14)),
    )
