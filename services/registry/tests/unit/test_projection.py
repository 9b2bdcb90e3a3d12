"""Minimum disclosure: every change kind, projected for Japanese and foreign residents alike.

Residents are generated (本籍 inside or outside the ward, 不詳 birth dates, sealed 個人番号 or
none); each change kind is applied as its planner would (the rows it appends and the rows before
them).  The properties: each message carries exactly its policy's fields, which are exactly its
contract's; a message goes out if and only if its condition holds; the law's hard lines hold
(no 附票 notice for foreigners, the ward's 戸籍附票システム only for 管内本籍, 法務省 only for
foreign residents); and a policy that drifts from the contracts refuses to load.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from jumin_contracts.check_digits import juminhyo_code_check_digit, my_number_check_digit
from jumin_contracts.codes import (
    HEAD,
    ChangeCategory,
    ChangeKind,
    ForeignResidentCategory,
    ResidentType,
    Sex,
)
from jumin_contracts.dates import PartialDate
from jumin_contracts.messages import IDENTITY_ITEMS, MESSAGE_MODELS, CsMoveOutCertificate
from registry.domain.changes import ChangeOrigin
from registry.domain.model import HistoryRow, Person, Qualifications, RecordStatus
from registry.domain.projection import ProjectedMessage, RecordFlags, project
from registry.domain.recipient_policy import (
    DERIVED_SOURCES,
    PERSON_ATTRIBUTES,
    ProjectionInput,
    Ward,
)
from registry.domain.rules import EX_OFFICIO_KINDS
from registry.policy import POLICY_FILE, PolicyError, load_policy, parse_policy

from .builders import atena, household_no

WARD = Ward(code="131041", prefecture="東京都", name="新宿区")
POLICY = load_policy(ward=WARD)
WARD_PREFIX = "東京都新宿区"
TODAY = PartialDate.exact(date(2026, 11, 27))

WARD_HONSEKI = ("東京都新宿区西新宿二丁目8番地", "東京都新宿区歌舞伎町一丁目4番地")
OTHER_HONSEKI = (
    "大阪府大阪市北区梅田一丁目1番地",
    "東京都中野区中野四丁目8番地",  # same 都, another 区
    "北海道札幌市中央区北一条西二丁目1番地",
)
ADDRESSES = (
    "東京都新宿区西新宿二丁目8番1号 新宿ハイツ101",
    "東京都新宿区西新宿二丁目8番1号 新宿ハイツ202",
    "東京都新宿区高田馬場一丁目1番1号",
    "東京都新宿区歌舞伎町一丁目4番1号",
)
BIRTHS = ("1980-04-01", "1975~", "1960-xx-xx", "xxxx-xx-xx", "1989~@H", "2001-spring")
ABROAD = "アメリカ合衆国 ニューヨーク州ニューヨーク市"

CS_IDENTITY_ITEMS = (
    *(n for n in IDENTITY_ITEMS if n not in {"my_number", "record_status"}),
    "my_number_hash",
)  # the contract's 本人確認情報; the record keeps the 個人番号's hash beside the sealed number


# --- residents --------------------------------------------------------------------------------

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def my_numbers(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(digits, min_size=11, max_size=11)))
    return body + my_number_check_digit(body)


@st.composite
def juminhyo_codes(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(digits, min_size=10, max_size=10)))
    return body + juminhyo_code_check_digit(body)


def sealed(number: str) -> str:
    """Stand in for the vault: what the register stores is never the plain number."""
    return f"mn1:sealed:{number}"


@st.composite
def household_items(draw: st.DrawFn) -> dict[str, Any]:
    head = draw(st.booleans())
    relationship = HEAD if head else draw(st.sampled_from(["妻", "子", "同居人", "子の妻"]))
    return {
        "household_no": household_no(draw(st.integers(1, 40))),
        "is_head": head,
        "relationship": relationship,
    }


@st.composite
def foreign_items(draw: st.DrawFn) -> dict[str, Any]:
    category = draw(st.sampled_from(ForeignResidentCategory))
    mid_long = category is ForeignResidentCategory.MID_LONG_TERM
    special = category is ForeignResidentCategory.SPECIAL_PERMANENT
    return {
        "resident_type": ResidentType.FOREIGN,
        "name_alphabet": draw(st.sampled_from(["KIM MINJUN", "NGUYEN VAN AN", "SMITH JOHN"])),
        "alias": draw(st.none() | st.just("金田民俊")),
        "nationality": draw(st.sampled_from(["韓国", "ベトナム", "アメリカ合衆国"])),
        "foreign_category": category,
        "status_of_residence": draw(st.sampled_from(["留学", "技術・人文知識・国際業務"]))
        if mid_long
        else None,
        "period_of_stay": "2年" if mid_long else None,
        "stay_expires_on": date(2028, 3, 31) if mid_long else None,
        "residence_card_no": "XY98765432ZW" if mid_long else None,
        "special_permanent_cert_no": "AB12345678CD" if special else None,
        "became_foreign_resident_on": PartialDate.exact(date(2022, 4, 1)),
    }


@st.composite
def japanese_items(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "resident_type": ResidentType.JAPANESE,
        "honseki": draw(st.sampled_from(WARD_HONSEKI + OTHER_HONSEKI)),
        "hittosha": "山田太郎",
        "former_surname": draw(st.none() | st.just("佐藤")),
        "became_resident_on": PartialDate.exact(date(2020, 4, 1)),
    }


@st.composite
def people(draw: st.DrawFn, resident_type: ResidentType | None = None) -> Person:
    """Draw a resident on the register: Japanese (本籍 in or out of the ward) or foreign."""
    kind = resident_type or draw(st.sampled_from(ResidentType))
    number = draw(st.none() | my_numbers())
    return Person(
        **draw(household_items()),
        family_name=draw(st.sampled_from(["山田", "金", "グエン"])),
        given_name=draw(st.sampled_from(["太郎", "民俊", "ヴァン アン"])),
        family_name_kana="ヤマダ",
        given_name_kana="タロウ",
        birth_date=PartialDate.from_storage(draw(st.sampled_from(BIRTHS))),
        sex=draw(st.sampled_from(Sex)),
        address=draw(st.sampled_from(ADDRESSES)),
        address_since=PartialDate.exact(date(2020, 4, 1)),
        my_number=None if number is None else sealed(number),
        my_number_hash=None if number is None else f"hash:{number}",
        juminhyo_code=draw(st.none() | juminhyo_codes()),
        voter_registered=draw(st.booleans()),
        qualifications=Qualifications(
            national_health_insurance=draw(st.booleans()), child_allowance=draw(st.booleans())
        ),
        **draw(foreign_items() if kind is ResidentType.FOREIGN else japanese_items()),
    )


# --- the effect of each change kind -------------------------------------------------------------

Pair = tuple[HistoryRow | None, HistoryRow]

ENTRY_TYPES = {
    ChangeKind.MOVE_IN_FROM_ABROAD: ResidentType.JAPANESE,
    ChangeKind.FOREIGN_MOVE_IN_30_46: ResidentType.FOREIGN,
}


def row(atena_no: str, person: Person, kind: ChangeKind, history_no: int) -> HistoryRow:
    return HistoryRow(
        atena_no=atena_no,
        history_no=history_no,
        change_id=uuid4(),
        change_kind=kind,
        occurred_on=TODAY,
        recorded_at=datetime(2026, 11, 27, 15, 0),
        ex_officio=kind in EX_OFFICIO_KINDS,
        person=person,
    )


def removed(person: Person, kind: ChangeKind) -> Person:
    destination = {
        ChangeKind.DOMESTIC_MOVE_OUT: "大阪府大阪市北区梅田一丁目1番1号",
        ChangeKind.MOVE_OUT_ABROAD: ABROAD,
    }.get(kind)
    return person.evolve(
        status=RecordStatus.REMOVED,
        removed_on=TODAY,
        removal_kind=kind,
        move_out_destination=destination,
        planned_move_out_on=date(2026, 11, 27) if destination else None,
    )


@st.composite
def amended(draw: st.DrawFn, person: Person, kind: ChangeKind) -> Person:
    """Apply a 修正 patch: any PersonPatch items, or only the 軽微 ones."""
    minor: dict[str, Any] = {
        "address_katagaki": "新宿ハイツ303",
        "address": person.address.split(" ")[0] + " 新宿ハイツ303",
        "postal_code": "1600023",
        "voter_registered": not person.voter_registered,
        "qualifications": Qualifications(national_pension=True),
    }
    names: dict[str, Any] = {
        "family_name": "田中",
        "given_name_kana": "ハナコ",
        "birth_date": PartialDate.from_storage("1981~"),
        "sex": Sex.FEMALE if person.sex is Sex.MALE else Sex.MALE,
    }
    if person.resident_type is ResidentType.JAPANESE:
        names["honseki"] = draw(st.sampled_from(WARD_HONSEKI + OTHER_HONSEKI))
    else:
        names["nationality"] = "中国"
    choices = minor if kind is ChangeKind.MINOR_CORRECTION else minor | names
    keys = draw(st.sets(st.sampled_from(sorted(choices)), min_size=1))
    if "address_katagaki" in keys or "address" in keys:  # the printed 住所 ends with the 方書
        keys |= {"address_katagaki", "address"}
    return person.evolve(**{key: choices[key] for key in keys})


@st.composite
def household_effect(draw: st.DrawFn, person: Person, kind: ChangeKind) -> Person:
    if kind is ChangeKind.HEAD_CHANGE:
        if person.is_head:
            return person.evolve(is_head=False, relationship="妻")
        return person.evolve(is_head=True, relationship=HEAD)
    new_household = household_no(draw(st.integers(41, 60)))
    if kind is ChangeKind.HOUSEHOLD_SEPARATION:
        return person.evolve(household_no=new_household, is_head=True, relationship=HEAD)
    return person.evolve(household_no=new_household, is_head=False, relationship="同居人")


@st.composite
def effect(draw: st.DrawFn, kind: ChangeKind, atena_no: str) -> list[Pair]:
    """Return (row before, appended row) pairs as approving a change of *kind* writes them."""
    if kind.category is ChangeCategory.ENTRY:
        person = draw(people(ENTRY_TYPES.get(kind)))
        if kind is ChangeKind.BIRTH:  # a code from the pool at approval; the number comes later
            code = draw(juminhyo_codes())
            person = person.evolve(my_number=None, my_number_hash=None, juminhyo_code=code)
        return [(None, row(atena_no, person, kind, 1))]
    if kind is ChangeKind.NATURALIZATION:
        return nationality_switch(atena_no, draw(people(ResidentType.FOREIGN)), kind, draw)
    if kind is ChangeKind.LOSS_OF_NATIONALITY:
        return nationality_switch(atena_no, draw(people(ResidentType.JAPANESE)), kind, draw)
    if kind is ChangeKind.CANCELLATION:
        inner = draw(st.sampled_from([k for k in ChangeKind if k is not ChangeKind.CANCELLATION]))
        return cancelled(draw(effect(inner, atena_no)))
    type_ = ResidentType.FOREIGN if kind is ChangeKind.RESIDENCE_STATUS_30_47 else None
    before = row(atena_no, draw(people(type_)), ChangeKind.DOMESTIC_MOVE_IN, 1)
    return [(before, row(atena_no, draw(changed(before.person, kind)), kind, 2))]


@st.composite
def changed(draw: st.DrawFn, person: Person, kind: ChangeKind) -> Person:
    if kind.category is ChangeCategory.REMOVAL:
        return removed(person, kind)
    if kind is ChangeKind.MOVE_WITHIN_WARD:
        address = draw(st.sampled_from([a for a in ADDRESSES if a != person.address]))
        return person.evolve(address=address, address_since=TODAY)
    if kind is ChangeKind.RESIDENCE_STATUS_30_47:
        return person.evolve(
            foreign_category=ForeignResidentCategory.MID_LONG_TERM,
            status_of_residence="永住者",
            period_of_stay="無期限",
            stay_expires_on=None,
            residence_card_no="ZZ11112222YY",
            special_permanent_cert_no=None,
        )
    if kind in {ChangeKind.HOUSEHOLD_SEPARATION, ChangeKind.HOUSEHOLD_MERGER} | {
        ChangeKind.HOUSEHOLD_TRANSFER,
        ChangeKind.HEAD_CHANGE,
    }:
        return draw(household_effect(person, kind))
    return draw(amended(person, kind))


def nationality_switch(
    atena_no: str, person: Person, kind: ChangeKind, draw: st.DrawFn
) -> list[Pair]:
    """Close the old record and open the new one (two rows for one person, spec 4.5)."""
    before = row(atena_no, person, ChangeKind.DOMESTIC_MOVE_IN, 1)
    closed = row(atena_no, removed(person, kind), kind, 2)
    if kind is ChangeKind.NATURALIZATION:
        opened = person.evolve(
            **{k: None for k in ("nationality", "name_alphabet", "foreign_category")},
            **{k: None for k in ("status_of_residence", "period_of_stay", "stay_expires_on")},
            **{k: None for k in ("residence_card_no", "special_permanent_cert_no", "alias")},
            resident_type=ResidentType.JAPANESE,
            honseki=draw(st.sampled_from(WARD_HONSEKI + OTHER_HONSEKI)),
            hittosha="金田民俊",
        )
    else:
        opened = person.evolve(
            **draw(foreign_items()), honseki=None, hittosha=None, former_surname=None
        )
    return [(before, closed), (closed, row(atena_no, opened, kind, 3))]


def cancelled(pairs: list[Pair]) -> list[Pair]:
    """Restore the person as before the cancelled change, or void an entry (spec 4.6)."""
    first_before, last_after = pairs[0][0], pairs[-1][1]
    restored = (
        last_after.person.evolve(status=RecordStatus.VOID)
        if first_before is None
        else first_before.person
    )
    kind = ChangeKind.CANCELLATION
    return [(last_after, row(last_after.atena_no, restored, kind, last_after.history_no + 1))]


@st.composite
def new_head_ex_officio(draw: st.DrawFn, kind: ChangeKind) -> list[Pair]:
    """The member left alone becomes head 職権 (spec 4.0.4) under the same change."""
    member = draw(people()).evolve(is_head=False, relationship="子")
    before = row(atena(999), member, ChangeKind.DOMESTIC_MOVE_IN, 1)
    after = row(atena(999), member.evolve(is_head=True, relationship=HEAD), kind, 2)
    return [(before, dataclasses.replace(after, ex_officio=True))]


# --- projecting ---------------------------------------------------------------------------------


def person_key(atena_no: str) -> str:
    return hashlib.sha256(f"key:{atena_no}".encode()).hexdigest()[:32]


class Opener:
    """Unseal like the vault, and count how often the projection asks."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, sealed_value: str, atena_no: str) -> str | None:
        self.calls += 1
        assert sealed_value.startswith("mn1:sealed:")
        return sealed_value.removeprefix("mn1:sealed:")


SOMEONE_ELSE = Person(
    resident_type=ResidentType.JAPANESE,
    household_no=household_no(1),
    is_head=True,
    relationship=HEAD,
    family_name="世帯",
    given_name="主",
    family_name_kana="セタイ",
    given_name_kana="ヌシ",
    birth_date=PartialDate.from_storage("1950-01-01"),
    sex=Sex.MALE,
    address=ADDRESSES[0],
    address_since=PartialDate.from_storage("1990-01-01"),
)


def run(
    kind: ChangeKind,
    pairs: list[Pair],
    opener: Callable[[str, str], str | None],
    *,
    occurred_on: PartialDate = TODAY,
    register_head: Person = SOMEONE_ELSE,
    origin: ChangeOrigin = ChangeOrigin.STAFF,
    told: list[HistoryRow] | None = None,
) -> Any:
    """Project as approval does; ``register_head`` is every household's 世帯主 before the change.

    ``told``: members whose 世帯主 the change renamed (`renamed_heads_members`), if any.
    """
    return project(
        change_kind=kind,
        occurred_on=occurred_on,
        rows=pairs,
        origin=origin,
        policy=POLICY,
        person_key=person_key,
        open_my_number=opener,
        record_flags=lambda a: RecordFlags(support_measure_active=True, seal_registered=False),
        household_head=lambda h: register_head,
        head_renamed_for=told or [],
    )


def inputs(
    kind: ChangeKind, pairs: list[Pair], origin: ChangeOrigin = ChangeOrigin.STAFF
) -> list[ProjectionInput]:
    return [
        ProjectionInput(
            change_kind=kind,
            occurred_on=TODAY,
            before=before,
            after=after,
            ward=POLICY.ward,
            origin=origin,
        )
        for before, after in pairs
    ]


@st.composite
def approved_changes(draw: st.DrawFn, kind: ChangeKind) -> list[Pair]:
    pairs = draw(effect(kind, atena(draw(st.integers(1, 500)))))
    if kind.category is not ChangeCategory.ENTRY and draw(st.booleans()):
        pairs += draw(new_head_ex_officio(kind))
    return pairs


EVERY_KIND = pytest.mark.parametrize("kind", list(ChangeKind), ids=lambda k: k.value)


@EVERY_KIND
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_each_message_carries_exactly_its_policys_fields(kind: ChangeKind, data: Any) -> None:
    pairs = data.draw(approved_changes(kind))
    for message in run(kind, pairs, Opener()):
        granted = POLICY.message(message.routing_key).field_names
        contract = set(MESSAGE_MODELS[message.routing_key].model_fields)
        assert set(message.payload.model_dump()) == granted == contract
        dumped = message.payload.model_dump_json()
        assert type(message.payload).model_validate_json(dumped) == message.payload


@EVERY_KIND
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_message_goes_out_exactly_when_its_condition_holds(kind: ChangeKind, data: Any) -> None:
    pairs = data.draw(approved_changes(kind))
    sent = [(m.atena_no, m.routing_key) for m in run(kind, pairs, Opener())]
    for _, routing_key in sent:
        event(routing_key)  # --hypothesis-show-statistics shows which messages each kind sends
    expected = [
        (item.after.atena_no, rule.routing_key)
        for item in inputs(kind, pairs)
        for rule in POLICY.messages
        if rule.applies(item)
    ]
    assert sent == expected


def sent_per_row(kind: ChangeKind, pairs: list[Pair]) -> list[tuple[ProjectionInput, set[str]]]:
    """Project row by row, so each row's messages can be checked against that row."""
    return [
        (item, {m.routing_key for m in run(kind, [(item.before, item.after)], Opener())})
        for item in inputs(kind, pairs)
    ]


HOUSEHOLD_ITEMS = {"household_no", "is_head", "relationship"}


def only_household_changed(item: ProjectionInput) -> bool:
    before, after = item.previous, item.person
    if before is None:
        return False
    changed = {k for k, v in before.__dict__.items() if after.__dict__[k] != v}
    return bool(changed) and changed <= HOUSEHOLD_ITEMS


@EVERY_KIND
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_laws_hard_lines_hold(kind: ChangeKind, data: Any) -> None:
    for item, sent in sent_per_row(kind, data.draw(approved_changes(kind))):
        honseki = item.person.honseki or ""
        japanese = item.person.resident_type is ResidentType.JAPANESE
        fuhyo = sent & {"koseki.fuhyo_notice", "cs.fuhyo_notice"}
        assert "certificates.record" in sent, "the read model mirrors every approved row"
        if "koseki.fuhyo_notice" in sent:
            assert japanese
            assert honseki.startswith(WARD_PREFIX), "管内本籍者 only"
        if "cs.fuhyo_notice" in sent:
            assert japanese
            assert honseki
            assert not honseki.startswith(WARD_PREFIX), "管外本籍者 only"
        if not japanese:
            assert not fuhyo, "no 附票 for foreign residents"
            assert (
                "moj.municipal_notice" in sent
                or only_household_changed(item)
                or kind
                not in {
                    ChangeKind.DOMESTIC_MOVE_IN,
                    ChangeKind.FOREIGN_MOVE_IN_30_46,
                    ChangeKind.RESIDENCE_STATUS_30_47,
                }
            ), "a foreign resident's 転入 and 在留 changes are notified"
        if "moj.municipal_notice" in sent:
            assert not japanese, "法務省 hears of foreign residents only"
            assert kind is not ChangeKind.HOUSEHOLD_TRANSFER, "世帯変更 is not notified"
        if only_household_changed(item):  # 世帯分離・世帯主変更・職権の世帯主 …
            assert not sent & {"moj.municipal_notice", "cs.identity"} | fuhyo
            assert "intermediate.household_info" in sent
        if kind in {ChangeKind.DEATH, ChangeKind.DOMESTIC_MOVE_OUT}:
            assert not fuhyo, "the 戸籍 or the new 住所地 tells the 附票"
        moved_out = item.left and item.person.removal_kind is ChangeKind.DOMESTIC_MOVE_OUT
        if "cs.moveout_certificate" in sent:
            assert kind is ChangeKind.DOMESTIC_MOVE_OUT, "転出証明書情報 only for a 国内転出"
            assert moved_out, "only for a person the 転出 removes"
        if kind is ChangeKind.DOMESTIC_MOVE_OUT and moved_out:  # filed in time (not 職権) here
            assert "cs.moveout_certificate" in sent


def identity_touched(item: ProjectionInput) -> bool:
    before, after = item.previous, item.person
    if after.juminhyo_code is None:  # CS keys everything by it: nobody without one is sent
        return False
    if before is None or before.status is not after.status:
        return True
    return any(getattr(before, name) != getattr(after, name) for name in CS_IDENTITY_ITEMS)


@EVERY_KIND
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_cs_hears_of_exactly_the_changes_touching_identity(kind: ChangeKind, data: Any) -> None:
    for item, sent in sent_per_row(kind, data.draw(approved_changes(kind))):
        assert ("cs.identity" in sent) == identity_touched(item)


NUMBER_GRANTS = {
    "cs.identity",
    "cs.moveout_certificate",
    "intermediate.household_info",
    "certificates.record",
}
"""Messages the law lets carry the 個人番号: 本人確認情報, 転出証明書情報, the 統合宛名's 名寄せ and
符号取得 (番号法19条8号・21条の2), the ward's own read model."""


@EVERY_KIND
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_numbers_reach_only_those_the_law_allows(kind: ChangeKind, data: Any) -> None:
    pairs = data.draw(approved_changes(kind))
    opener = Opener()
    messages: list[ProjectedMessage] = run(kind, pairs, opener)
    people_by_atena = {after.atena_no: after.person for _, after in pairs}
    for message in messages:
        person, text = people_by_atena[message.atena_no], message.payload.model_dump_json()
        assert "mn1:" not in text, "sealed values never leave"
        assert "hash:" not in text, "nor their lookup hashes"
        plain = (person.my_number_hash or "").removeprefix("hash:")
        if plain and message.routing_key not in NUMBER_GRANTS:
            assert plain not in text
        if message.routing_key not in {"intermediate.household_info", "certificates.record"}:
            assert message.atena_no not in text, "the 宛名番号 stays inside the ward"
        assert message.person_key != message.atena_no
    granted = [m for m in messages if m.routing_key in NUMBER_GRANTS]
    assert opener.calls == sum(people_by_atena[m.atena_no].my_number is not None for m in granted)


# --- directed cases -----------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(person=people(ResidentType.JAPANESE), data=st.data())
def test_a_move_reaches_the_one_fuhyo_the_honseki_names(person: Person, data: Any) -> None:
    kind = ChangeKind.MOVE_WITHIN_WARD
    before = row(atena(7), person, ChangeKind.DOMESTIC_MOVE_IN, 1)
    after = row(atena(7), data.draw(changed(person, kind)), kind, 2)
    sent = {m.routing_key: m for m in run(kind, [(before, after)], Opener())}
    inside = person.honseki is not None and person.honseki.startswith(WARD_PREFIX)
    assert ("koseki.fuhyo_notice" in sent) is inside
    assert ("cs.fuhyo_notice" in sent) is not inside
    assert "moj.municipal_notice" not in sent


@settings(max_examples=40, deadline=None)
@given(person=people(ResidentType.JAPANESE))
def test_a_move_abroad_tells_the_fuhyo_no_address(person: Person) -> None:
    kind = ChangeKind.MOVE_OUT_ABROAD
    before = row(atena(8), person, ChangeKind.DOMESTIC_MOVE_IN, 1)
    after = row(atena(8), removed(person, kind), kind, 2)
    [notice] = [
        m for m in run(kind, [(before, after)], Opener()) if m.routing_key.endswith("fuhyo_notice")
    ]
    payload = notice.payload.model_dump()
    assert payload["moved_abroad"] is True
    assert payload["address"] is None
    assert payload["abroad_country"] == "アメリカ合衆国"
    assert payload["address_since"] == TODAY.to_storage(), "国外転出の年月日"


def test_an_outside_honseki_names_its_municipality() -> None:
    person = SOMEONE_ELSE.evolve(honseki=OTHER_HONSEKI[0])
    after = row(atena(9), person, ChangeKind.DOMESTIC_MOVE_IN, 1)
    [notice] = [
        m for m in run(after.change_kind, [(None, after)], Opener()) if m.message == "fuhyo_notice"
    ]
    assert notice.payload.model_dump()["destination_municipality"] == "大阪府大阪市北区"
    assert notice.legal_basis == "住民基本台帳法第19条"


@settings(max_examples=40, deadline=None)
@given(person=people(ResidentType.FOREIGN))
def test_insurance_and_relationship_changes_between_foreigners_stay_home(person: Person) -> None:
    kind = ChangeKind.MINOR_CORRECTION
    before = row(atena(10), person, ChangeKind.DOMESTIC_MOVE_IN, 1)
    quiet = person.evolve(
        qualifications=Qualifications(long_term_care_insurance=True), relationship="同居人"
    )
    sent = {m.routing_key for m in run(kind, [(before, row(atena(10), quiet, kind, 2))], Opener())}
    assert "moj.municipal_notice" not in sent
    assert "cs.identity" not in sent


@settings(max_examples=40, deadline=None)
@given(person=people(ResidentType.FOREIGN))
def test_a_foreigners_move_is_both_a_juki_and_an_immigration_notice(person: Person) -> None:
    kind = ChangeKind.MOVE_WITHIN_WARD
    before = row(atena(11), person, ChangeKind.DOMESTIC_MOVE_IN, 1)
    after = row(atena(11), person.evolve(address="東京都新宿区北新宿一丁目1番1号"), kind, 2)
    [notice] = [m for m in run(kind, [(before, after)], Opener()) if m.recipient == "moj"]
    assert notice.payload.model_dump()["notice_class"] == "juki_and_immigration"
    assert notice.legal_basis == "出入国管理及び難民認定法第61条の8の2"


def test_household_info_names_the_head_this_change_made() -> None:
    """世帯主変更: every member's 世帯主氏名 is the new head's, not the register's old one."""
    kind = ChangeKind.HEAD_CHANGE
    old_head = SOMEONE_ELSE
    new_head = SOMEONE_ELSE.evolve(is_head=False, relationship="子", given_name="次郎")
    pairs: list[Pair] = [
        (
            row(atena(20), old_head, kind, 1),
            row(atena(20), old_head.evolve(is_head=False, relationship="父"), kind, 2),
        ),
        (
            row(atena(21), new_head, kind, 1),
            row(atena(21), new_head.evolve(is_head=True, relationship=HEAD), kind, 2),
        ),
    ]
    infos = [
        m.payload.model_dump() for m in run(kind, pairs, Opener()) if m.recipient == "intermediate"
    ]
    assert [info["head_name"] for info in infos] == ["世帯\u3000次郎", None]  # the head: その旨
    assert [info["juki_atena_no"] for info in infos] == [atena(20), atena(21)]


# --- 転出証明書情報 (住基法24条の2) ------------------------------------------------------------------

CERTIFICATE = "cs.moveout_certificate"
DESTINATION = "大阪府大阪市北区梅田一丁目1番1号"
PLANNED_ON = date(2026, 12, 5)  # a 転出予定日 may lie ahead (spec 4.0.3)


def moved_out(person: Person) -> Person:
    """Remove a person by a 国内転出 filed in advance, as the removal planner does."""
    return person.evolve(
        status=RecordStatus.REMOVED,
        removed_on=PartialDate.exact(PLANNED_ON),
        removal_kind=ChangeKind.DOMESTIC_MOVE_OUT,
        planned_move_out_on=PLANNED_ON,
        move_out_destination=DESTINATION,
        notified_on=date(2026, 11, 27),
    )


@st.composite
def household_moving_out(draw: st.DrawFn) -> tuple[Person, list[Pair]]:
    """The 世帯主 and spouse move out; the child who stays becomes 世帯主 職権 (spec 4.0.4)."""
    home = household_no(77)
    head = draw(people()).evolve(household_no=home, is_head=True, relationship=HEAD)
    spouse = draw(people()).evolve(household_no=home, is_head=False, relationship="妻")
    child = draw(people()).evolve(household_no=home, is_head=False, relationship="子")
    kind = ChangeKind.DOMESTIC_MOVE_OUT
    pairs: list[Pair] = []
    for n, person in ((30, head), (31, spouse)):
        before = row(atena(n), person, ChangeKind.DOMESTIC_MOVE_IN, 1)
        pairs.append((before, row(atena(n), moved_out(person), kind, 2)))
    stays = row(atena(32), child, ChangeKind.DOMESTIC_MOVE_IN, 1)
    new_head = row(atena(32), child.evolve(is_head=True, relationship=HEAD), kind, 2)
    pairs.append((stays, dataclasses.replace(new_head, ex_officio=True)))
    return head, pairs


def certificates_of(messages: list[ProjectedMessage]) -> list[ProjectedMessage]:
    return [m for m in messages if m.routing_key == CERTIFICATE]


@settings(max_examples=60, deadline=None)
@given(household=household_moving_out())
def test_a_domestic_move_out_sends_one_certificate_per_person_who_leaves(
    household: tuple[Person, list[Pair]],
) -> None:
    head, pairs = household
    kind = ChangeKind.DOMESTIC_MOVE_OUT
    on = PartialDate.exact(PLANNED_ON)
    certificates = certificates_of(run(kind, pairs, Opener(), occurred_on=on, register_head=head))

    assert [m.atena_no for m in certificates] == [atena(30), atena(31)], "not the one who stays"
    for message, (before, after) in zip(certificates, pairs, strict=False):
        assert before is not None
        person = before.person
        assert message.payload == CsMoveOutCertificate(
            change_kind=kind,
            occurred_on="2026-12-05",
            family_name=person.family_name,
            given_name=person.given_name,
            birth_date=person.birth_date.to_storage(),
            sex=person.sex,
            address=person.address,  # 転出前の住所
            destination=DESTINATION,
            planned_on=PLANNED_ON,
            head_name=f"{head.family_name}\u3000{head.given_name}",  # not the child's, made head
            relationship=person.relationship,
            juminhyo_code=person.juminhyo_code,
            my_number=(person.my_number or "").removeprefix("mn1:sealed:") or None,
        )
        assert message.legal_basis == "住民基本台帳法第24条の2"
        assert message.person_key == person_key(after.atena_no)


@settings(max_examples=40, deadline=None)
@given(person=people())
def test_a_move_out_filed_over_14_days_late_sends_no_certificate(person: Person) -> None:
    """Recorded 職権, it gets a 転出証明書に準ずる証明書, not a 転出証明書 (spec 4.1.3.0.3)."""
    kind = ChangeKind.DOMESTIC_MOVE_OUT
    before = row(atena(33), person, ChangeKind.DOMESTIC_MOVE_IN, 1)
    late = dataclasses.replace(row(atena(33), moved_out(person), kind, 2), ex_officio=True)
    sent = {m.routing_key for m in run(kind, [(before, late)], Opener())}
    assert CERTIFICATE not in sent
    if person.juminhyo_code is not None:  # nobody without a 住民票コード goes to CS
        assert "cs.identity" in sent, "CS still hears of the 消除"


def cancelled_move_out(person: Person) -> tuple[ChangeKind, list[Pair]]:
    """異動の取消し of the 国内転出: the person is restored as before it (spec 4.6)."""
    kind = ChangeKind.DOMESTIC_MOVE_OUT
    before = row(atena(34), person, ChangeKind.DOMESTIC_MOVE_IN, 1)
    return ChangeKind.CANCELLATION, cancelled(
        [(before, row(atena(34), moved_out(person), kind, 2))]
    )


def follow_up(kind: ChangeKind, person: Person, **changes: Any) -> tuple[ChangeKind, list[Pair]]:
    """A later change to the 除票 the 国内転出 left (誤記修正, 転入通知受理)."""
    removed_row = row(atena(34), moved_out(person), ChangeKind.DOMESTIC_MOVE_OUT, 2)
    return kind, [(removed_row, row(atena(34), removed_row.person.evolve(**changes), kind, 3))]


@pytest.mark.parametrize(
    "change",
    [
        cancelled_move_out,
        lambda p: follow_up(ChangeKind.CLERICAL_CORRECTION, p, given_name="太朗"),
        lambda p: follow_up(
            ChangeKind.MOVE_IN_NOTICE,
            p,
            confirmed_move_out_on=PLANNED_ON,
            confirmed_destination="大阪府大阪市北区梅田一丁目2番2号",
        ),
    ],
    ids=["cancellation", "clerical-correction", "move-in-notice"],
)
@settings(max_examples=20, deadline=None)
@given(person=people())
def test_what_follows_a_move_out_sends_no_second_certificate(
    change: Callable[[Person], tuple[ChangeKind, list[Pair]]], person: Person
) -> None:
    """A 取消 or 修正 reaches CS as 本人確認情報 where its items change; 再送信 is CS's operator's."""
    kind, pairs = change(person)
    assert certificates_of(run(kind, pairs, Opener())) == []


# --- the policy refuses to drift from the contracts ---------------------------------------------


def document() -> dict[str, Any]:
    return tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))


def table(doc: dict[str, Any], routing_key: str) -> dict[str, Any]:
    recipient, message = routing_key.split(".")
    spec: dict[str, Any] = doc[recipient][message]
    return spec


def granted_names(spec: dict[str, Any]) -> list[str]:
    fields = spec["fields"]
    return list(fields)


def drop(spec: dict[str, Any], name: str) -> None:
    if isinstance(spec["fields"], dict):
        del spec["fields"][name]
    else:
        spec["fields"].remove(name)


def add(spec: dict[str, Any], name: str, source: str) -> None:
    if isinstance(spec["fields"], dict):
        spec["fields"][name] = source
    else:
        spec["fields"].append(name)


ROUTING_KEYS = st.sampled_from([rule.routing_key for rule in POLICY.messages])


@settings(max_examples=60)
@given(routing_key=ROUTING_KEYS, data=st.data())
def test_a_policy_missing_a_contract_field_refuses_to_load(routing_key: str, data: Any) -> None:
    doc = document()
    spec = table(doc, routing_key)
    name = data.draw(st.sampled_from(granted_names(spec)))
    drop(spec, name)
    with pytest.raises(PolicyError, match=rf"{re.escape(routing_key)}: misses .*'{name}'"):
        parse_policy(doc, ward=WARD)


@settings(max_examples=60)
@given(routing_key=ROUTING_KEYS, data=st.data())
def test_a_policy_granting_an_extra_field_refuses_to_load(routing_key: str, data: Any) -> None:
    doc = document()
    spec = table(doc, routing_key)
    contract = set(MESSAGE_MODELS[routing_key].model_fields)
    allowed = sorted(PERSON_ATTRIBUTES - contract - {"my_number", "my_number_hash"})
    name = data.draw(st.sampled_from(allowed))
    add(spec, name, name)
    with pytest.raises(PolicyError, match=rf"{re.escape(routing_key)}: names fields .*'{name}'"):
        parse_policy(doc, ward=WARD)


@pytest.mark.parametrize(
    ("change", "because"),
    [
        (
            lambda d: table(d, "moj.municipal_notice").update(condition="sometimes"),
            r"unknown condition 'sometimes'",
        ),
        (
            lambda d: d["cs"].update(gossip=table(d, "cs.identity")),
            r"cs\.gossip: no contract model",
        ),
        (
            lambda d: table(d, "cs.identity")["fields"].update(my_number="my_number"),
            r"cs\.identity\.my_number: 'my_number' never leaves \(sealed",
        ),
        (
            lambda d: table(d, "certificates.record")["fields"].update(head_name="colour"),
            r"unknown source 'colour'",
        ),
        (
            lambda d: table(d, "koseki.fuhyo_notice").update(schema="koseki.fuhyo_notice@2"),
            r"policy is for koseki\.fuhyo_notice@2, the contract is koseki\.fuhyo_notice@1",
        ),
        (
            lambda d: table(d, "intermediate.household_info").update(legal_basis=" "),
            r"legal_basis must name the law",
        ),
        (
            lambda d: table(d, "moj.municipal_notice").pop("condition"),
            r"missing keys \['condition'\]",
        ),
    ],
    ids=["condition", "no-contract", "sealed", "source", "schema", "basis", "missing-key"],
)
def test_a_broken_policy_refuses_to_load(
    change: Callable[[dict[str, Any]], object], because: str
) -> None:
    doc = document()
    change(doc)
    with pytest.raises(PolicyError, match=because):
        parse_policy(doc, ward=WARD)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = POLICY_FILE.read_text(encoding="utf-8")
    text = text.replace('"identity_changed"', '"whenever"')
    text = text.replace('nationality = "nationality"\n', "", 1)  # the 市町村通知's 国籍・地域
    path = tmp_path / "recipients.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(ward=WARD, path=path)
    assert len(caught.value.problems) == 2
    assert "whenever" in str(caught.value)
    assert "'nationality'" in str(caught.value)


def test_the_shipped_policy_covers_every_recipient_and_is_named_by_law() -> None:
    assert {rule.routing_key for rule in POLICY.messages} == set(MESSAGE_MODELS)
    assert all(rule.legal_basis for rule in POLICY.messages)


def test_derived_sources_never_shadow_record_items() -> None:
    assert not set(DERIVED_SOURCES) & PERSON_ATTRIBUTES
