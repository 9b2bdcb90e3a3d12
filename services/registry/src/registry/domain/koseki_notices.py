"""Turn a 住民票記載事項通知 from the 戸籍 side (住基法9条2項) into the change a reviewer decides.

The ward's 戸籍 system tells the 住所地 what a 戸籍届 changed, one notice per person:

- 婚姻・離婚・転籍・氏名の変更 → a 職権修正 of what the 戸籍 now states differently among 氏, 名,
  their 振り仮名 (when the notice gives them), 本籍 and 筆頭者; nothing differs → nothing to do;
- 出生 → the child recorded 職権 (kind ``birth``: a 出生 is a 職権記載 on the 出生届, spec 4.2.1.2)
  into the household of a parent on the register, on the 届出 the notice reports;
- 死亡 → the person removed 職権 (kind ``death``: a 職権消除 on the 死亡届, spec 4.2.2.1) on the
  day of death; someone already removed → nothing to do.

Every request says in its 備考 which 届出 it rests on. None is approved here: the registry enters
it as ``system:koseki`` and a reviewer decides (DOMAIN-SERVICES.md §1).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from jumin_contracts.codes import HEAD, ChangeKind, ResidentType, is_valid_relationship
from jumin_contracts.commands import KosekiEvent, KosekiRecordNotice
from jumin_contracts.dates import PartialDate

from registry.domain.change_requests import (
    Amendment,
    EntryChange,
    KosekiFilingIn,
    NewPerson,
    PersonPatch,
    RemovalChange,
)
from registry.domain.errors import NothingToChange, RuleViolation
from registry.domain.model import HistoryRow, Person
from registry.domain.search_keys import name_search_key

FILINGS: Final[dict[KosekiEvent, str]] = {
    KosekiEvent.MARRIAGE: "婚姻",
    KosekiEvent.DIVORCE: "離婚",
    KosekiEvent.TRANSFER: "転籍",
    KosekiEvent.NAME_CHANGE: "氏名の変更",
    KosekiEvent.BIRTH: "出生",
    KosekiEvent.DEATH: "死亡",
}
"""The 届出 each event rests on, as the change's 備考 names it."""

STATED_ITEMS: Final = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "honseki",
    "hittosha",
)
"""Items a notice states after the event that a 職権修正 may carry (PersonPatch fields)."""


def notice_note(notice: KosekiRecordNotice) -> str:
    """Return the 備考 of a change made on a notice: which 届出, which notice."""
    return (
        f"戸籍届出通知: {FILINGS[notice.event]} (住基法9条2項, 通知番号 {notice.notification_id})"
    )


def amendment_for(notice: KosekiRecordNotice, *, atena_no: str, person: Person) -> Amendment:
    """Return the 職権修正 of the items the 戸籍 now states differently.

    An item the notice leaves out (筆頭者 null, no 振り仮名) stays as recorded; a new 氏名 without
    its 振り仮名 keeps the old フリガナ, and the 備考 asks the reviewer to check it.
    """
    stated = {item: getattr(notice, item) for item in STATED_ITEMS}
    patch = {
        item: value
        for item, value in stated.items()
        if value is not None and getattr(person, item) != value
    }
    if not patch:
        raise NothingToChange(
            "通知の内容は記載済みです / the register already states what the notice says"
        )
    return Amendment(
        kind=ChangeKind.EX_OFFICIO_AMENDMENT,
        atena_no=atena_no,
        occurred_on=PartialDate.exact(notice.event_date),
        patch=PersonPatch(**patch),
        note=notice_note(notice) + _kana_reminder(patch),
    )


def _kana_reminder(patch: dict[str, Any]) -> str:
    names = [n for n in ("family_name", "given_name") if n in patch and f"{n}_kana" not in patch]
    return " 振り仮名は通知にないため確認してください。" if names else ""


def death_for(notice: KosekiRecordNotice, *, atena_no: str, person: Person) -> RemovalChange:
    """Return the 職権消除 (死亡) of the person on the day of death."""
    if not person.is_resident:
        raise NothingToChange("既に消除されています / the person is already removed")
    return RemovalChange(
        kind=ChangeKind.DEATH,
        atena_nos=[atena_no],
        occurred_on=PartialDate.exact(notice.event_date),
        note=notice_note(notice),
    )


def birth_for(
    notice: KosekiRecordNotice, *, parents: Sequence[HistoryRow], sent_from: str, received_on: date
) -> EntryChange:
    """Return the 職権記載 (出生) of the child into the household of the first parent listed.

    The notice's ``event_date`` is taken as the 出生届's 届出日 (the 異動日 of a 出生 is the
    生年月日); the 届出 was reported by ``sent_from`` and the notice arrived ``received_on``.
    """
    household_no = parents[0].person.household_no
    in_household = [p.person for p in parents if p.person.household_no == household_no]
    return EntryChange(
        kind=ChangeKind.BIRTH,
        occurred_on=birth_date_of(notice),
        notified_on=notice.event_date,
        persons=[_newborn(notice, relationship=newborn_relationship(in_household))],
        join_household_no=household_no,
        koseki_filing=KosekiFilingIn(sent_from=sent_from, notice_received_on=received_on),
        note=notice_note(notice),
    )


def _newborn(notice: KosekiRecordNotice, *, relationship: str) -> NewPerson:
    if notice.family_name_kana is None or notice.given_name_kana is None:
        raise RuleViolation(
            "出生の通知に振り仮名がありません。窓口で出生を入力してください / the notice gives no "
            "furigana, which a birth needs; enter the birth at the counter"
        )
    return NewPerson(
        resident_type=ResidentType.JAPANESE,
        family_name=notice.family_name,
        given_name=notice.given_name,
        family_name_kana=notice.family_name_kana,
        given_name_kana=notice.given_name_kana,
        birth_date=birth_date_of(notice),
        sex=notice.sex,
        relationship=relationship,
        honseki=notice.honseki,
        hittosha=notice.hittosha,
    )


def names_the_child(notice: KosekiRecordNotice, family_name: str, given_name: str) -> bool:
    """Say whether a 氏名 entered for a child born the same day is the notice's child.

    Compared as search compares names: 異体字 folded, spaces and variation selectors dropped
    (the clerk may have typed 高 for the 戸籍's 髙).
    """
    wanted = name_search_key(notice.family_name + notice.given_name)
    return name_search_key(family_name + given_name) == wanted


def birth_date_of(notice: KosekiRecordNotice) -> PartialDate:
    """Return the 出生の年月日 the 戸籍 states, refusing one that is no calendar date."""
    try:
        return PartialDate.parse(notice.birth_date)
    except ValueError:
        raise RuleViolation(
            "出生の年月日が暦にない日付です / the date of birth is not a calendar date"
        ) from None


def newborn_relationship(parents: Sequence[Person]) -> str:
    """Return the newborn's 続柄 to the 世帯主 from its parents' (spec 1.1.11).

    子 of the head; 孫 of a 子; otherwise the parent's 続柄 followed by の子 (妻の子, 子の妻の子).
    """
    if any(parent.is_head for parent in parents):
        return "子"
    for parent in parents:
        candidate = "孫" if parent.relationship == "子" else f"{parent.relationship}の子"
        if parent.relationship != HEAD and is_valid_relationship(candidate):
            return candidate
    raise RuleViolation(
        "出生者の世帯主との続柄を決められません。窓口で出生を入力してください / the newborn's "
        "relationship to the head cannot be derived; enter the birth at the counter"
    )
