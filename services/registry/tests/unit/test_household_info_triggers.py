"""住民票関係情報 triggers (DOMAIN-SERVICES.md §3), one 異動事由 at a time on a fixed household.

Each case is the rows approving the change appends and the (住記宛名番号, 記載・消除・取消) of the
`intermediate.household_info@2` messages expected; a renamed 世帯主 tells the other members too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from jumin_contracts.check_digits import juminhyo_code_check_digit, my_number_check_digit
from jumin_contracts.codes import HEAD, ChangeKind, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.messages import RecordState
from registry.domain.model import Person
from registry.domain.projection import renamed_heads_members

from .builders import atena, household_no
from .household_infos import ROUTING_KEY, sent_infos
from .test_projection import (
    SOMEONE_ELSE,
    Opener,
    Pair,
    cancelled,
    removed,
    row,
    run,
    sealed,
)

HOME = household_no(90)
OTHER_HOME = household_no(91)
TARO, HANAKO, ICHIRO, NEWCOMER = atena(60), atena(61), atena(62), atena(63)


def member(given_name: str, relationship: str, n: int, **items: Any) -> Person:
    """A member of 山田 household with a 個人番号 and 住民票コード of their own."""
    plain = f"{n:011d}" + my_number_check_digit(f"{n:011d}")
    numbers = {
        "my_number": sealed(plain),
        "my_number_hash": f"hash:{plain}",
        "juminhyo_code": f"{n:010d}" + juminhyo_code_check_digit(f"{n:010d}"),
    }
    return SOMEONE_ELSE.evolve(
        household_no=HOME,
        is_head=relationship == HEAD,
        relationship=relationship,
        family_name="山田",
        given_name=given_name,
        **(numbers | items),
    )


HEAD_TARO = member("太郎", HEAD, 1)
WIFE_HANAKO = member("花子", "妻", 2, sex=Sex.FEMALE)
SON_ICHIRO = member("一郎", "子", 3)
FAMILY = {TARO: HEAD_TARO, HANAKO: WIFE_HANAKO, ICHIRO: SON_ICHIRO}


def amend(kind: ChangeKind, atena_no: str, **items: Any) -> list[Pair]:
    """One row: *kind* applied to a member of the household."""
    before = row(atena_no, FAMILY[atena_no], ChangeKind.DOMESTIC_MOVE_IN, 1)
    return [(before, row(atena_no, FAMILY[atena_no].evolve(**items), kind, 2))]


def remove(kind: ChangeKind) -> list[Pair]:
    before = row(ICHIRO, SON_ICHIRO, ChangeKind.DOMESTIC_MOVE_IN, 1)
    return [(before, row(ICHIRO, removed(SON_ICHIRO, kind), kind, 2))]


def enter(kind: ChangeKind, **items: Any) -> list[Pair]:
    newcomer = member("二郎", "子", 4, **items)
    return [(None, row(NEWCOMER, newcomer, kind, 1))]


def head_change() -> list[Pair]:
    """花子 becomes head; 太郎 becomes 夫; 一郎 stays 子 (of the new head: still a message)."""
    kind = ChangeKind.HEAD_CHANGE
    after = {
        TARO: HEAD_TARO.evolve(is_head=False, relationship="夫"),
        HANAKO: WIFE_HANAKO.evolve(is_head=True, relationship=HEAD),
        ICHIRO: SON_ICHIRO,
    }
    return [
        (row(a, FAMILY[a], ChangeKind.DOMESTIC_MOVE_IN, 1), row(a, after[a], kind, 2))
        for a in (TARO, HANAKO, ICHIRO)
    ]


FOREIGN = {
    "resident_type": ResidentType.FOREIGN,
    "name_alphabet": "KIM ICHIRO",
    "nationality": "韓国",
    "foreign_category": ForeignResidentCategory.SPECIAL_PERMANENT,
    "special_permanent_cert_no": "AB12345678CD",
    "honseki": None,
    "hittosha": None,
}


def switch(kind: ChangeKind) -> list[Pair]:
    """帰化・国籍喪失: the old record closed, a new one opened (two rows, one person)."""
    foreign = SON_ICHIRO.evolve(**FOREIGN)
    old, new = (foreign, SON_ICHIRO) if kind is ChangeKind.NATURALIZATION else (SON_ICHIRO, foreign)
    before = row(ICHIRO, old, ChangeKind.DOMESTIC_MOVE_IN, 1)
    closed = row(ICHIRO, removed(old, kind), kind, 2)
    return [(before, closed), (closed, row(ICHIRO, new, kind, 3))]


@dataclass(frozen=True)
class Case:
    """One 異動事由: the rows it appends and the (宛名番号, 記載・消除・取消) messages expected."""

    kind: ChangeKind
    pairs: Callable[[], list[Pair]]
    expected: list[tuple[str, RecordState]]


R, X, V = RecordState.RESIDENT, RecordState.REMOVED, RecordState.VOID
NEW_NUMBER = "983205673214"

CASES = {
    "転入": Case(
        ChangeKind.DOMESTIC_MOVE_IN, lambda: enter(ChangeKind.DOMESTIC_MOVE_IN), [(NEWCOMER, R)]
    ),
    "国外転入": Case(
        ChangeKind.MOVE_IN_FROM_ABROAD,
        lambda: enter(ChangeKind.MOVE_IN_FROM_ABROAD),
        [(NEWCOMER, R)],
    ),
    "法第30条の46転入": Case(
        ChangeKind.FOREIGN_MOVE_IN_30_46,
        lambda: enter(ChangeKind.FOREIGN_MOVE_IN_30_46, **FOREIGN),
        [(NEWCOMER, R)],
    ),
    "出生 (個人番号なし)": Case(
        ChangeKind.BIRTH,
        lambda: enter(ChangeKind.BIRTH, my_number=None, my_number_hash=None),
        [(NEWCOMER, R)],
    ),
    "職権記載": Case(
        ChangeKind.EX_OFFICIO_ENTRY, lambda: enter(ChangeKind.EX_OFFICIO_ENTRY), [(NEWCOMER, R)]
    ),
    "国内転出": Case(
        ChangeKind.DOMESTIC_MOVE_OUT, lambda: remove(ChangeKind.DOMESTIC_MOVE_OUT), [(ICHIRO, X)]
    ),
    "国外転出": Case(
        ChangeKind.MOVE_OUT_ABROAD, lambda: remove(ChangeKind.MOVE_OUT_ABROAD), [(ICHIRO, X)]
    ),
    "死亡": Case(ChangeKind.DEATH, lambda: remove(ChangeKind.DEATH), [(ICHIRO, X)]),
    "職権消除": Case(
        ChangeKind.EX_OFFICIO_REMOVAL, lambda: remove(ChangeKind.EX_OFFICIO_REMOVAL), [(ICHIRO, X)]
    ),
    "世帯分離": Case(
        ChangeKind.HOUSEHOLD_SEPARATION,
        lambda: amend(
            ChangeKind.HOUSEHOLD_SEPARATION,
            ICHIRO,
            household_no=OTHER_HOME,
            is_head=True,
            relationship=HEAD,
        ),
        [(ICHIRO, R)],
    ),
    "世帯変更": Case(
        ChangeKind.HOUSEHOLD_TRANSFER,
        lambda: amend(
            ChangeKind.HOUSEHOLD_TRANSFER, ICHIRO, household_no=OTHER_HOME, relationship="同居人"
        ),
        [(ICHIRO, R)],
    ),
    "帰化": Case(
        ChangeKind.NATURALIZATION,
        lambda: switch(ChangeKind.NATURALIZATION),
        [(ICHIRO, X), (ICHIRO, R)],
    ),
    "国籍喪失": Case(
        ChangeKind.LOSS_OF_NATIONALITY,
        lambda: switch(ChangeKind.LOSS_OF_NATIONALITY),
        [(ICHIRO, X), (ICHIRO, R)],
    ),
    "世帯合併": Case(
        ChangeKind.HOUSEHOLD_MERGER,
        lambda: amend(
            ChangeKind.HOUSEHOLD_MERGER,
            TARO,
            household_no=OTHER_HOME,
            is_head=False,
            relationship="子の夫",
        ),
        [(TARO, R)],
    ),
    "世帯主変更": Case(ChangeKind.HEAD_CHANGE, head_change, [(TARO, R), (HANAKO, R), (ICHIRO, R)]),
    "続柄修正": Case(
        ChangeKind.CLERICAL_CORRECTION,
        lambda: amend(ChangeKind.CLERICAL_CORRECTION, ICHIRO, relationship="子の夫"),
        [(ICHIRO, R)],
    ),
    "世帯主の氏名変更 (its other members: test_a_renamed_head_tells_every_other_member)": Case(
        ChangeKind.EX_OFFICIO_AMENDMENT,
        lambda: amend(ChangeKind.EX_OFFICIO_AMENDMENT, TARO, family_name="佐藤"),
        [(TARO, R)],
    ),
    "世帯員の氏名変更": Case(
        ChangeKind.EX_OFFICIO_AMENDMENT,
        lambda: amend(ChangeKind.EX_OFFICIO_AMENDMENT, ICHIRO, family_name="佐藤"),
        [],
    ),
    "個人番号の記載": Case(
        ChangeKind.MY_NUMBER_ENTRY,
        lambda: amend(
            ChangeKind.MY_NUMBER_ENTRY,
            ICHIRO,
            my_number=sealed(NEW_NUMBER),
            my_number_hash=f"hash:{NEW_NUMBER}",
        ),
        [(ICHIRO, R)],
    ),
    "個人番号の変更請求 (番号はまだ同じ)": Case(
        ChangeKind.MY_NUMBER_CHANGE_REQUEST,
        lambda: amend(ChangeKind.MY_NUMBER_CHANGE_REQUEST, ICHIRO),
        [],
    ),
    "職権による個人番号の変更 (番号はまだ同じ)": Case(
        ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE,
        lambda: amend(ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE, ICHIRO),
        [],
    ),
    "法第30条の47届出": Case(
        ChangeKind.RESIDENCE_STATUS_30_47,
        lambda: [
            (
                row(ICHIRO, SON_ICHIRO.evolve(**FOREIGN), ChangeKind.DOMESTIC_MOVE_IN, 1),
                row(
                    ICHIRO,
                    SON_ICHIRO.evolve(**FOREIGN, status_of_residence="永住者"),
                    ChangeKind.RESIDENCE_STATUS_30_47,
                    2,
                ),
            )
        ],
        [],
    ),
    "住民票コードの変更": Case(
        ChangeKind.JUMINHYO_CODE_CHANGE,
        lambda: amend(ChangeKind.JUMINHYO_CODE_CHANGE, ICHIRO, juminhyo_code="12345678903"),
        [(ICHIRO, R)],
    ),
    "転居 (世帯全員)": Case(
        ChangeKind.MOVE_WITHIN_WARD,
        lambda: amend(
            ChangeKind.MOVE_WITHIN_WARD, TARO, address="東京都新宿区高田馬場一丁目1番1号"
        ),
        [],
    ),
    "軽微な修正": Case(
        ChangeKind.MINOR_CORRECTION,
        lambda: amend(ChangeKind.MINOR_CORRECTION, ICHIRO, postal_code="1600023"),
        [],
    ),
    "転入通知受理": Case(
        ChangeKind.MOVE_IN_NOTICE,
        lambda: [
            (
                row(
                    ICHIRO,
                    removed(SON_ICHIRO, ChangeKind.DOMESTIC_MOVE_OUT),
                    ChangeKind.DOMESTIC_MOVE_OUT,
                    2,
                ),
                row(
                    ICHIRO,
                    removed(SON_ICHIRO, ChangeKind.DOMESTIC_MOVE_OUT).evolve(
                        confirmed_destination="大阪府大阪市北区梅田一丁目2番2号"
                    ),
                    ChangeKind.MOVE_IN_NOTICE,
                    3,
                ),
            )
        ],
        [],
    ),
    "取消 (転入の取消: 記載がなかったもの)": Case(
        ChangeKind.CANCELLATION,
        lambda: cancelled(enter(ChangeKind.DOMESTIC_MOVE_IN)),
        [(NEWCOMER, V)],
    ),
    "取消 (死亡の取消: 回復)": Case(
        ChangeKind.CANCELLATION, lambda: cancelled(remove(ChangeKind.DEATH)), [(ICHIRO, R)]
    ),
    "取消 (転居の取消)": Case(
        ChangeKind.CANCELLATION,
        lambda: cancelled(
            amend(ChangeKind.MOVE_WITHIN_WARD, TARO, address="東京都新宿区高田馬場一丁目1番1号")
        ),
        [],
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_change_kind_sends_what_the_copy_needs(case: Case) -> None:
    infos = sent_infos(case.kind, case.pairs())
    assert [(info.juki_atena_no, info.record_status) for info in infos] == case.expected
    assert all(info.change_kind is case.kind for info in infos)


def on_register() -> dict[str, Any]:
    return {a: row(a, p, ChangeKind.DOMESTIC_MOVE_IN, 1) for a, p in FAMILY.items()}


@pytest.mark.parametrize(
    ("renamed", "told"),
    [(TARO, [HANAKO, ICHIRO]), (ICHIRO, [])],
    ids=["the-head", "a-member"],
)
def test_a_renamed_head_tells_every_other_member(renamed: str, told: list[str]) -> None:
    """住基法7条4号: the head's 氏名 is each member's 世帯主の氏名; no row of theirs is appended."""
    kind = ChangeKind.EX_OFFICIO_AMENDMENT
    pairs = amend(kind, renamed, family_name="佐藤")
    members = renamed_heads_members(pairs, on_register())
    assert [member.atena_no for member in members] == told

    head_names = [(i.juki_atena_no, i.head_name) for i in sent_infos(kind, pairs, members)]
    if renamed == TARO:
        new_name = "佐藤\u3000太郎"
        assert head_names == [(TARO, None), (HANAKO, new_name), (ICHIRO, new_name)]
        others = run(kind, pairs, Opener(), told=members)
        assert {m.routing_key for m in others if m.atena_no != TARO} == {
            ROUTING_KEY,
            "certificates.record",  # the printed 世帯主氏名 changed too
        }, "nothing else: the members' own items did not change"
    else:
        assert head_names == []


def test_a_head_change_has_a_row_for_everyone_so_nobody_is_told_twice() -> None:
    pairs = head_change()
    assert renamed_heads_members(pairs, on_register()) == []


def test_every_change_kind_has_a_case() -> None:
    assert {case.kind for case in CASES.values()} == set(ChangeKind)
