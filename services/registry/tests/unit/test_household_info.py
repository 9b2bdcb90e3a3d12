"""住民票関係情報 (`intermediate.household_info@2`) over generated residents and every change kind.

The generators are `test_projection`'s.  Properties: the message carries exactly its contract's
fields, the person's own 住記宛名番号 (as a key, never as the 統合宛名番号), 住民票コード and 個人番号
(unsealed only because the policy grants it), 7条4号 as the law words it; a row that changes
nothing the 副本 or its link hold sends none; a 世帯主変更 sends one per member.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jumin_contracts.codes import HEAD, ChangeKind
from jumin_contracts.dates import PartialDate
from jumin_contracts.messages import IntermediateHouseholdInfo
from registry.domain.model import Person, RecordStatus

from .builders import atena, household_no
from .household_infos import household_infos, sent_infos
from .test_projection import (
    EVERY_KIND,
    Pair,
    approved_changes,
    my_numbers,
    people,
    row,
    sealed,
)

HOME = household_no(90)


def copy_or_link_changed(kind: ChangeKind, before: Person | None, after: Person) -> bool:
    """The oracle: what the 副本 (7条4号, 世帯番号, status) or the 統合宛名's link hold changed."""
    if before is None or kind is ChangeKind.HEAD_CHANGE:
        return True
    items = ("status", "household_no", "is_head", "relationship", "juminhyo_code", "my_number_hash")
    if any(getattr(before, i) != getattr(after, i) for i in items):
        return True
    renamed = (before.family_name, before.given_name) != (after.family_name, after.given_name)
    return after.is_head and renamed


@EVERY_KIND
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_row_sends_household_info_exactly_when_the_copy_or_its_link_changes(
    kind: ChangeKind, data: Any
) -> None:
    pairs = data.draw(approved_changes(kind))
    sent = {id(pair[1]) for pair, _ in household_infos(kind, pairs)}
    for before, after in pairs:
        previous = None if before is None else before.person
        assert (id(after) in sent) == copy_or_link_changed(kind, previous, after.person)


@EVERY_KIND
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_household_info_names_the_person_by_their_own_numbers_only(
    kind: ChangeKind, data: Any
) -> None:
    """住記宛名番号 as the key, the person's own 個人番号 (unsealed), 7条4号 as the law words it."""
    pairs = data.draw(approved_changes(kind))
    for (_, after), info in household_infos(kind, pairs):
        person = after.person
        assert set(info.model_dump()) == set(IntermediateHouseholdInfo.model_fields)
        assert info.juki_atena_no == after.atena_no
        assert info.record_status.value == person.status.value
        own = (person.my_number_hash or "").removeprefix("hash:") or None
        assert info.my_number == own
        assert info.juminhyo_code == person.juminhyo_code
        assert (info.family_name, info.birth_date) == (
            person.family_name,
            person.birth_date.to_storage(),
        )
        if person.is_head:
            assert (info.head_name, info.relationship) == (None, None)
        else:
            assert info.relationship == person.relationship


@st.composite
def households(draw: st.DrawFn) -> list[tuple[str, Person]]:
    """A household of 2–5 residents: one head, the others with a 続柄 to them."""
    size = draw(st.integers(2, 5))
    members = [draw(people()) for _ in range(size)]
    relationships = [HEAD] + [
        draw(st.sampled_from(["妻", "子", "母", "同居人"])) for _ in range(size - 1)
    ]
    return [
        (
            atena(70 + n),
            person.evolve(
                household_no=HOME,
                is_head=relationship == HEAD,
                relationship=relationship,
                status=RecordStatus.RESIDENT,
            ),
        )
        for n, (person, relationship) in enumerate(zip(members, relationships, strict=True))
    ]


@settings(max_examples=60, deadline=None)
@given(household=households(), data=st.data())
def test_a_head_change_tells_every_member(household: list[tuple[str, Person]], data: Any) -> None:
    """Every member's 続柄 is recomputed (some read the same) and the 世帯主の氏名 is the new head's."""
    kind = ChangeKind.HEAD_CHANGE
    new_head = data.draw(st.sampled_from([a for a, p in household if not p.is_head]))
    pairs: list[Pair] = []
    for atena_no, person in household:
        relationship = (
            HEAD
            if atena_no == new_head
            else data.draw(st.sampled_from(["夫", "子", person.relationship]))
        )
        relationship = "夫" if relationship == HEAD and atena_no != new_head else relationship
        after = person.evolve(is_head=atena_no == new_head, relationship=relationship)
        pairs.append(
            (row(atena_no, person, ChangeKind.DOMESTIC_MOVE_IN, 1), row(atena_no, after, kind, 2))
        )
    infos = sent_infos(kind, pairs)
    assert [info.juki_atena_no for info in infos] == [a for a, _ in household]
    head = dict(household)[new_head]
    for info in infos:
        if info.juki_atena_no == new_head:
            assert info.is_head
        else:
            assert info.head_name == f"{head.family_name}\u3000{head.given_name}"


@settings(max_examples=40, deadline=None)
@given(person=people(), number=my_numbers())
def test_a_number_arriving_later_is_sent_unsealed_to_the_link(person: Person, number: str) -> None:
    """A newborn's 個人番号 comes after the 出生 (J-LIS via CS): the 統合宛名 needs it for the 符号."""
    kind = ChangeKind.MY_NUMBER_ENTRY
    born = person.evolve(
        my_number=None, my_number_hash=None, birth_date=PartialDate.from_storage("2026-11-20")
    )
    numbered = born.evolve(my_number=sealed(number), my_number_hash=f"hash:{number}")
    pairs: list[Pair] = [
        (row(atena(80), born, ChangeKind.BIRTH, 1), row(atena(80), numbered, kind, 2))
    ]
    [(_, info)] = household_infos(kind, pairs)
    assert info.my_number == number
