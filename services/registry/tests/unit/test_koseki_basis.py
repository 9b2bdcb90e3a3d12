"""出生 and 死亡 are 職権記載 / 職権消除 on a 戸籍届出 (spec 4.2.1.2, 4.2.2.1, 4.2.0.3, 4.2.0.4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from jumin_contracts.codes import HEAD, ChangeKind
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.errors import RuleViolation
from registry.domain.model import KosekiBasis
from registry.domain.planning import RegisterView, is_ex_officio
from registry.domain.planning.koseki import koseki_basis

from .builders import (
    HOME,
    TODAY,
    atena,
    days_ago,
    family,
    household_no,
    newcomer,
    plan,
    refused,
    register,
    request,
)

TARO, HANAKO = atena(1), atena(2)
YAMADA = household_no(1)
BORN = days_ago(7)


@pytest.fixture
def view(addresses: PostalAddressBook) -> RegisterView:
    home = addresses.parse_ward_address(HOME)
    return register(addresses, *family(YAMADA, home, {TARO: HEAD, HANAKO: "妻"}))


def birth(**fields: Any) -> Any:
    baby = newcomer("子", given_name="陽", given_name_kana="ヒナタ", birth_date=BORN.isoformat())
    defaults = {"occurred_on": BORN, "notified_on": days_ago(5), "join_household_no": YAMADA}
    return request(ChangeKind.BIRTH, persons=[baby], **(defaults | fields))


def death(**fields: Any) -> Any:
    return request(
        ChangeKind.DEATH, **({"occurred_on": days_ago(3), "atena_nos": [HANAKO]} | fields)
    )


def test_a_birth_entered_at_the_counter_rests_on_a_birth_notification_accepted_here() -> None:
    entered = birth()

    assert is_ex_officio(entered)  # 職権記載, not a 住民異動届
    assert koseki_basis(entered, TODAY) == KosekiBasis(
        filing="出生届", filed_on=days_ago(5), accepted_on=days_ago(5)
    )


def test_a_death_is_removed_ex_officio_on_its_death_notification() -> None:
    assert is_ex_officio(death())
    assert koseki_basis(death(notified_on=days_ago(2)), TODAY) == KosekiBasis(
        filing="死亡届", filed_on=days_ago(2), accepted_on=days_ago(2)
    )
    assert koseki_basis(death(), TODAY) is None  # 戸籍届出日 may be entered later (spec 4.2.0.4)


def test_a_birth_accepted_elsewhere_keeps_who_sent_the_notice_and_when() -> None:
    filing = {
        "accepted_on": days_ago(4),
        "accepted_at": "大阪府大阪市北区",
        "sent_from": "大阪府大阪市北区",
        "notice_received_on": days_ago(1),
    }

    basis = koseki_basis(birth(koseki_filing=filing), TODAY)

    assert basis == KosekiBasis(
        filing="出生届",
        filed_on=days_ago(5),
        accepted_on=days_ago(4),
        accepted_at="大阪府大阪市北区",
        sent_from="大阪府大阪市北区",
        notice_received_on=days_ago(1),
    )


@pytest.mark.parametrize(
    ("filing", "because"),
    [
        ({"accepted_on": days_ago(6)}, "受理日は届出日・受理日以後"),  # before the 届出日
        ({"accepted_on": days_ago(-1)}, "受理日は届出日・受理日以後"),  # in the future
        ({"accepted_at": "大阪府大阪市北区"}, "送付元と通知日が必要"),
        ({"sent_from": "大阪府大阪市北区"}, "送付元と通知日が必要"),
        (
            {"sent_from": "大阪府大阪市北区", "notice_received_on": days_ago(6)},
            "通知日は届出日・受理日以後",
        ),
    ],
)
def test_filing_facts_that_cannot_be_true_are_refused(
    view: RegisterView, filing: dict[str, Any], because: str
) -> None:
    with refused(RuleViolation, because):
        plan(view, ChangeKind.BIRTH, **birth(koseki_filing=filing).model_dump(exclude={"kind"}))


def test_filing_facts_need_the_filing_date(view: RegisterView) -> None:
    with refused(RuleViolation, "戸籍届出の届出日"):
        plan(
            view,
            ChangeKind.DEATH,
            occurred_on=days_ago(3),
            atena_nos=[HANAKO],
            koseki_filing={"accepted_on": days_ago(2)},
        )


def test_only_births_and_deaths_carry_filing_facts(view: RegisterView) -> None:
    with refused(RuleViolation, "出生・死亡にだけ"):
        plan(
            view,
            ChangeKind.DOMESTIC_MOVE_OUT,
            occurred_on=days_ago(1),
            notified_on=days_ago(1),
            atena_nos=[HANAKO],
            destination="東京都中野区中野四丁目8番1号",
            koseki_filing={"accepted_on": days_ago(1)},
        )


def test_a_move_in_is_recorded_on_its_own_filing_not_ex_officio() -> None:
    moved_in = request(
        ChangeKind.DOMESTIC_MOVE_IN,
        occurred_on=date(2026, 11, 1),
        notified_on=date(2026, 11, 2),
        persons=[newcomer()],
        address=HOME,
        previous_address="東京都中野区中野四丁目8番1号",
    )

    assert not is_ex_officio(moved_in)
    assert koseki_basis(moved_in, TODAY) is None
