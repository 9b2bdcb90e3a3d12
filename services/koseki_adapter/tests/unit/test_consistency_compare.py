"""整合性確認 of the 附票: people, items and counts — never values."""

from __future__ import annotations

from typing import Any

from jumin_platform.consistency.compare import compare_range
from koseki_adapter.domain.consistency import (
    COMPARED_ITEMS,
    FuhyoLine,
    new_report,
    result_of,
    sent_record,
)

A, B, C, D = "00000000019", "00000000027", "00000000035", "00000000043"


def sent(code: str | None, **changes: Any) -> dict[str, Any]:
    """A notice body as sent (with the items the 附票 does not hold)."""
    return {
        "honseki": "東京都新宿区歌舞伎町一丁目1番",
        "hittosha": "新宿 太郎",
        "family_name": "新宿",
        "given_name": "花子",
        "address": "東京都新宿区西新宿二丁目8番1号",
        "moved_abroad": False,
        "abroad_country": None,
        "address_since": "20261120",
        "birth_date": "19820202",
        "sex": "2",
        "juminhyo_code": code,
        "change_reason": "move_within",
        "change_date": "20261120",
    } | changes


def held(code: str, **changes: Any) -> FuhyoLine:
    """A 附票 item as GET /koseki/v1/fuhyo lists it."""
    body = sent(code, **changes)
    item = {k: v for k, v in body.items() if k not in {"change_reason", "change_date"}}
    return FuhyoLine.of(item | {"addresses": []})


def test_the_same_items_report_nothing_and_the_reason_is_not_compared() -> None:
    report = new_report()
    ours = sent_record("p1", sent(A, change_reason="correction"))
    assert ours is not None

    compare_range(report, [ours], [held(A).record()], COMPARED_ITEMS)

    assert result_of(report) == {
        "checked": 1,
        "fuhyo_records": 1,
        "missing_at_fuhyo": [],
        "unknown_at_fuhyo": 0,
        "mismatched": [],
    }


def test_differences_name_people_and_items_and_count_records_never_sent() -> None:
    report = new_report()
    ours = [
        sent_record("p-moved", sent(A, address="東京都新宿区新宿三丁目1番1号")),
        sent_record("p-married", sent(B, family_name="山田", hittosha="山田 一郎")),
        sent_record("p-lost", sent(C)),
    ]
    theirs = [held(A).record(), held(B).record(), held(D).record()]

    compare_range(report, [r for r in ours if r], theirs, COMPARED_ITEMS)

    result = result_of(report)
    assert result["missing_at_fuhyo"] == ["p-lost"]
    assert result["unknown_at_fuhyo"] == 1
    # The 戸籍 side is ahead for p-married (a 婚姻 the ward sent nothing for): not a difference.
    assert result["mismatched"] == [{"person_key": "p-moved", "fields": ["address"]}]
    text = str(result)
    for value in ("新宿三丁目", "山田", A, B, C, D):
        assert value not in text


def test_only_the_items_the_ward_is_the_source_of_are_compared() -> None:
    assert set(COMPARED_ITEMS) == {"address", "address_since", "moved_abroad", "abroad_country"}


def test_a_notice_without_a_code_is_not_compared() -> None:
    assert sent_record("p-newborn", sent(None)) is None


def test_moved_abroad_compares_the_flag_and_the_country() -> None:
    report = new_report()
    ours = sent_record(
        "p-abroad", sent(A, address=None, moved_abroad=True, abroad_country="アメリカ合衆国")
    )
    assert ours is not None
    theirs = held(A, address=None, moved_abroad=True, abroad_country="カナダ").record()

    compare_range(report, [ours], [theirs], COMPARED_ITEMS)

    assert report.mismatched == [{"person_key": "p-abroad", "fields": ["abroad_country"]}]
