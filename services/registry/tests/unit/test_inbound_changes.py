"""What inbound commands record: 個人番号の職権記載, 転入通知受理 (spec 4.1.3.1) and 長官通知 requests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from jumin_contracts.codes import ChangeKind, ForeignResidentCategory
from jumin_contracts.commands import MojDirectorNotice
from jumin_contracts.dates import PartialDate
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.change_requests import Amendment, RemovalChange, ResidenceStatusChange
from registry.domain.errors import NotFound, NothingToChange, RuleViolation, StateConflict
from registry.domain.model import RecordStatus
from registry.domain.moj_notices import moj_requests
from registry.domain.planning import RegisterView, plan_change

from .builders import (
    ACROSS_WARD,
    HOME,
    NAKANO,
    TODAY,
    atena,
    days_ago,
    household_no,
    on,
    plan,
    refused,
    register,
    resident,
)

TARO, MINJUN, MOVED, DIED, VOIDED = atena(1), atena(2), atena(3), atena(4), atena(5)
MOVED_ON = on("2026-11-01")


@pytest.fixture
def view(addresses: PostalAddressBook) -> RegisterView:
    """A resident, a foreign resident, one who moved out (planned), one who died, one voided."""
    home = addresses.parse_ward_address(HOME)
    across = addresses.parse_ward_address(ACROSS_WARD)
    gone: dict[str, Any] = {"status": RecordStatus.REMOVED, "removed_on": MOVED_ON}
    return register(
        addresses,
        resident(TARO, household=household_no(1), at=home, my_number=None, my_number_hash=None),
        resident(MINJUN, household=household_no(2), at=across, foreign=True),
        resident(
            MOVED,
            household=household_no(3),
            at=across,
            removal_kind=ChangeKind.DOMESTIC_MOVE_OUT,
            planned_move_out_on=MOVED_ON.sort_key(),
            move_out_destination="東京都中野区中野一丁目1番1号",
            **gone,
        ),
        resident(DIED, household=household_no(4), at=across, removal_kind=ChangeKind.DEATH, **gone),
        resident(VOIDED, household=household_no(5), at=across, status=RecordStatus.VOID),
    )


def my_number_entry(view: RegisterView, atena_no: str, number: str = "123456789018") -> Any:
    return plan(
        view,
        ChangeKind.MY_NUMBER_ENTRY,
        occurred_on=TODAY.isoformat(),
        atena_no=atena_no,
        my_number=number,
    )


def move_in_notice(view: RegisterView, atena_no: str = MOVED, **fields: Any) -> Any:
    values = {"confirmed_on": "2026-11-03", "confirmed_destination": NAKANO} | fields
    return plan(
        view, ChangeKind.MOVE_IN_NOTICE, occurred_on=TODAY.isoformat(), atena_no=atena_no, **values
    )


def test_my_number_entry_records_the_number_ex_officio(view: RegisterView) -> None:
    (row,) = my_number_entry(view, TARO)

    assert row.person.my_number == "123456789018"
    assert row.person.my_number_hash is None  # history.append seals it and hashes it
    assert row.ex_officio
    assert row.person.is_resident


def test_my_number_entry_may_go_on_a_removed_record(view: RegisterView) -> None:
    (row,) = my_number_entry(view, DIED)

    assert row.person.status is RecordStatus.REMOVED


def test_my_number_entry_refuses_a_wrong_check_digit_and_a_void_record(
    view: RegisterView,
) -> None:
    with refused(RuleViolation, "検査用数字"):
        my_number_entry(view, TARO, "123456789019")
    with refused(NotFound, "記録はありません"):
        my_number_entry(view, VOIDED)


def test_move_in_notice_keeps_the_planned_values_beside_the_confirmed_ones(
    view: RegisterView,
) -> None:
    (row,) = move_in_notice(view)
    person = row.person

    assert person.status is RecordStatus.REMOVED
    assert person.planned_move_out_on == MOVED_ON.sort_key()
    assert person.move_out_destination == "東京都中野区中野一丁目1番1号"
    assert person.confirmed_move_out_on == date(2026, 11, 3)
    assert person.confirmed_destination == NAKANO
    assert row.ex_officio
    assert row.occurred_on == view.current[MOVED].occurred_on  # as-of reads see one removal


def test_move_in_notice_applies_only_after_a_move_out_or_ex_officio_removal(
    view: RegisterView,
) -> None:
    with refused(StateConflict, "転出又は職権消除"):
        move_in_notice(view, TARO)
    with refused(StateConflict, "転出又は職権消除"):
        move_in_notice(view, DIED)


def test_move_in_notice_refuses_a_future_date_and_an_unknown_municipality(
    view: RegisterView,
) -> None:
    with refused(RuleViolation, "未来"):
        move_in_notice(view, confirmed_on=days_ago(-1).isoformat())
    with refused(RuleViolation, "都道府県"):
        move_in_notice(view, confirmed_destination="どこか遠く")


def test_the_same_move_in_notice_twice_changes_nothing(view: RegisterView) -> None:
    (row,) = move_in_notice(view)
    again = register(view.addresses, *_as_current(view, row))

    with pytest.raises(NothingToChange):
        move_in_notice(again)


def _as_current(view: RegisterView, planned: Any) -> list[Any]:
    rows = dict(view.current)
    rows[planned.atena_no] = replace(rows[planned.atena_no], person=planned.person)
    return list(rows.values())


def notice(**fields: Any) -> MojDirectorNotice:
    values: dict[str, Any] = {
        "command_id": uuid4(),
        "sent_at": datetime(2026, 11, 27, 1, tzinfo=UTC),
        "residence_card_no": "AB12345678CD",
        "notice_kind": "period_extension",
        "effective_on": "2026-11-20",
        "corrections": {"period_of_stay": "3年", "stay_expires_on": "2029-11-20"},
        "notice_text": "在留期間更新許可 (令和8年11月20日)",
    } | fields
    return MojDirectorNotice.model_validate(values)


def requests_for(view: RegisterView, command: MojDirectorNotice, atena_no: str = MINJUN) -> Any:
    person = view.current[atena_no].person
    return moj_requests(command, atena_no=atena_no, person=person, received_on=TODAY)


def test_a_residence_notice_becomes_a_30_47_change_over_the_recorded_details(
    view: RegisterView,
) -> None:
    (request,) = requests_for(view, notice())

    assert isinstance(request, ResidenceStatusChange)
    assert request.foreign.period_of_stay == "3年"
    assert request.foreign.stay_expires_on == date(2029, 11, 20)
    assert request.foreign.status_of_residence == "技術・人文知識・国際業務"  # kept
    assert request.foreign.alias == "金田民俊"  # kept
    assert request.occurred_on == PartialDate.exact(date(2026, 11, 20))
    assert request.notified_on == TODAY
    assert request.note == "在留期間更新許可 (令和8年11月20日)"
    (row,) = plan_change(request, view)
    assert row.person.period_of_stay == "3年"


def test_an_identity_correction_becomes_an_ex_officio_amendment(view: RegisterView) -> None:
    command = notice(
        notice_kind="item_correction",
        corrections={"name_alphabet": "KIM MIN JUN", "birth_date": "1990-07-16"},
    )
    (request,) = requests_for(view, command)

    assert isinstance(request, Amendment)
    assert request.kind is ChangeKind.EX_OFFICIO_AMENDMENT
    (row,) = plan_change(request, view)
    assert row.ex_officio
    assert row.person.name_alphabet == "KIM MIN JUN"
    assert row.person.birth_date == on("1990-07-16")


def test_a_notice_touching_both_gives_two_changes(view: RegisterView) -> None:
    command = notice(
        corrections={
            "foreign_category": "special_permanent",
            "special_permanent_cert_no": "SP12345678AB",
            "residence_card_no": None,
            "status_of_residence": None,
            "period_of_stay": None,
            "stay_expires_on": None,
            "nationality": "朝鮮",
            "sex": "female",
        }
    )
    residence, identity = requests_for(view, command)

    assert isinstance(residence, ResidenceStatusChange)
    assert residence.foreign.foreign_category is ForeignResidentCategory.SPECIAL_PERMANENT
    assert residence.foreign.nationality == "朝鮮"
    assert isinstance(identity, Amendment)
    assert identity.patch.model_dump(exclude_unset=True) == {"sex": "female"}
    (row,) = plan_change(residence, view)
    assert row.person.residence_card_no is None


def test_a_moj_notice_for_a_japanese_resident_is_refused(view: RegisterView) -> None:
    with refused(StateConflict, "外国人住民だけ"):
        requests_for(view, notice(), atena_no=TARO)


def test_a_stay_ended_notice_becomes_an_ex_officio_removal(view: RegisterView) -> None:
    command = notice(notice_kind="stay_ended", corrections={}, notice_text="出国による在留期間満了")
    (request,) = requests_for(view, command)

    assert isinstance(request, RemovalChange)
    assert (request.kind, request.atena_nos) == (ChangeKind.EX_OFFICIO_REMOVAL, [MINJUN])
    assert request.occurred_on == PartialDate.exact(date(2026, 11, 20))
    assert request.notified_on is None  # 職権: no 届出
    assert request.note == "出国による在留期間満了"
    (row,) = plan_change(request, view)
    assert row.ex_officio
    assert (row.person.status, row.person.removal_kind) == (
        RecordStatus.REMOVED,
        ChangeKind.EX_OFFICIO_REMOVAL,
    )
    assert row.person.removed_on == PartialDate.exact(date(2026, 11, 20))


def test_a_stay_ended_notice_for_a_removed_record_is_refused(view: RegisterView) -> None:
    gone = replace(
        view.current[MINJUN],
        person=view.current[MINJUN].person.evolve(
            status=RecordStatus.REMOVED, removed_on=MOVED_ON, removal_kind=ChangeKind.DEATH
        ),
    )
    removed_view = replace(view, current={**view.current, MINJUN: gone})
    (request,) = requests_for(removed_view, notice(notice_kind="stay_ended", corrections={}))

    with pytest.raises(StateConflict):
        plan_change(request, removed_view)
