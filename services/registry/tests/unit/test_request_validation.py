"""Requests as the API receives them: typed, closed shapes discriminated by kind (Pydantic)."""

from __future__ import annotations

from typing import Any

import pytest
from jumin_contracts.codes import ChangeKind
from pydantic import ValidationError
from registry.domain.change_requests import (
    Amendment,
    Cancellation,
    EntryChange,
    HeadChange,
    RemovalChange,
)

from .builders import NAKANO, atena, household_no, newcomer, request

TARO, HANAKO = atena(1), atena(2)
DEATH: dict[str, Any] = {"occurred_on": "2026-11-20", "atena_nos": [TARO]}


def refused_fields(kind: str, **fields: Any) -> set[tuple[str | int, ...]]:
    """Validate a request that must be refused; return where the errors are."""
    with pytest.raises(ValidationError) as caught:
        request(kind, **fields)
    return {error["loc"] for error in caught.value.errors()}


def test_the_kind_picks_the_shape_of_the_request() -> None:
    assert isinstance(request(ChangeKind.DEATH, **DEATH), RemovalChange)
    assert isinstance(
        request(
            ChangeKind.DOMESTIC_MOVE_IN,
            occurred_on="令和8年11月20日",
            notified_on="2026-11-21",
            persons=[newcomer()],
            address="西新宿二丁目8番1号",
            previous_address=NAKANO,
        ),
        EntryChange,
    )
    change = request(
        ChangeKind.MINOR_CORRECTION,
        occurred_on="2026-11-20",
        atena_no=TARO,
        patch={"voter_registered": True},
    )
    assert isinstance(change, Amendment)
    assert change.patch.model_fields_set == {"voter_registered"}


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        request("marriage", **DEATH)

    assert [error["type"] for error in caught.value.errors()] == ["union_tag_invalid"]


def test_a_field_of_another_kind_is_refused() -> None:
    assert ("death", "atena_no") in refused_fields("death", atena_no=TARO, **DEATH)


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        (DEATH | {"cause": "病死"}, ("death", "cause")),
        (
            {
                "occurred_on": "2026-11-20",
                "notified_on": "2026-11-21",
                "persons": [newcomer(nickname="ケンちゃん")],
                "address": "西新宿二丁目8番1号",
                "previous_address": NAKANO,
            },
            ("domestic_move_in", "persons", 0, "nickname"),
        ),
    ],
)
def test_extra_fields_are_refused(fields: dict[str, Any], where: tuple[Any, ...]) -> None:
    kind = where[0]
    assert where in refused_fields(kind, **fields)


def test_an_extra_item_in_a_correction_is_refused() -> None:
    locations = refused_fields(
        "clerical_correction",
        occurred_on="2026-11-20",
        atena_no=TARO,
        patch={"household_no": household_no(2)},
    )

    assert ("clerical_correction", "patch", "household_no") in locations


@pytest.mark.parametrize(
    "bad",
    ["12345", "00000000191", "000000001X", "０００００００１９", " 0000000019", ""],
)
def test_an_atena_no_is_exactly_ten_ascii_digits(bad: str) -> None:
    assert ("death", "atena_nos", 0) in refused_fields(
        "death", occurred_on="2026-11-20", atena_nos=[bad]
    )
    assert ("ex_officio_amendment", "atena_no") in refused_fields(
        "ex_officio_amendment", occurred_on="2026-11-20", atena_no=bad, patch={"sex": "male"}
    )


def test_household_numbers_and_relationship_keys_are_checked_too() -> None:
    locations = refused_fields(
        "head_change",
        occurred_on="2026-11-20",
        notified_on="2026-11-21",
        household_no="1",
        new_head=HANAKO,
        relationships={"taro": "夫"},
    )

    assert ("head_change", "household_no") in locations
    assert any(loc[:2] == ("head_change", "relationships") for loc in locations)


def test_a_valid_head_change_parses() -> None:
    change = request(
        ChangeKind.HEAD_CHANGE,
        occurred_on="2026-11-20",
        notified_on="2026-11-21",
        household_no=household_no(1),
        new_head=HANAKO,
        relationships={TARO: "夫"},
    )

    assert isinstance(change, HeadChange)


@pytest.mark.parametrize("atena_nos", [[], [atena(n) for n in range(1, 32)]])
def test_a_removal_names_one_to_thirty_people(atena_nos: list[str]) -> None:
    assert ("death", "atena_nos") in refused_fields(
        "death", occurred_on="2026-11-20", atena_nos=atena_nos
    )


def test_a_move_in_names_at_least_one_person() -> None:
    locations = refused_fields(
        "domestic_move_in",
        occurred_on="2026-11-20",
        notified_on="2026-11-21",
        persons=[],
        address="西新宿二丁目8番1号",
        previous_address=NAKANO,
    )

    assert ("domestic_move_in", "persons") in locations


@pytest.mark.parametrize(
    ("item", "value"),
    [("my_number", "62149832025"), ("juminhyo_code", "1234567890"), ("sex", "other")],
)
def test_a_newcomers_codes_have_their_shape(item: str, value: str) -> None:
    locations = refused_fields(
        "domestic_move_in",
        occurred_on="2026-11-20",
        notified_on="2026-11-21",
        persons=[newcomer(**{item: value})],
        address="西新宿二丁目8番1号",
        previous_address=NAKANO,
    )

    assert ("domestic_move_in", "persons", 0, item) in locations


def test_an_unreadable_change_date_is_refused() -> None:
    assert ("death", "occurred_on") in refused_fields(
        "death", occurred_on="そのうち", atena_nos=[TARO]
    )


def test_a_cancellation_needs_a_target_and_a_reason() -> None:
    locations = refused_fields("cancellation", occurred_on="2026-11-20")

    assert {("cancellation", "target_change_id"), ("cancellation", "reason")} <= locations
    assert isinstance(
        request(
            ChangeKind.CANCELLATION,
            occurred_on="2026-11-20",
            target_change_id="6f1d3c1e-0d5b-4c3e-9d0a-2f8e8b6a1c11",
            reason="誤って入力したため",
        ),
        Cancellation,
    )
