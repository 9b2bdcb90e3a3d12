"""The 整合性確認 diff: missing, unknown and mismatched records, named without values."""

from __future__ import annotations

from cs_adapter.domain.consistency import ConsistencyReport, Side, compare_range


def side(code: str, ref: str, number: str | None = "h1", **body: str) -> Side:
    base = {"family_name": "新宿", "given_name": "花子", "address": "新宿区1", "sex": "2"}
    return Side(code, base | body, number, ref)


def test_matching_records_report_nothing() -> None:
    report = ConsistencyReport()
    compare_range(report, [side("1", "p1")], [side("1", "CS-1")])
    assert report.as_json() == {
        "checked": 1,
        "cs_records": 1,
        "missing_at_cs": [],
        "unknown_at_cs": [],
        "mismatched": [],
    }


def test_differences_name_people_fields_and_receipts_only() -> None:
    report = ConsistencyReport()
    ours = [side("1", "p1"), side("2", "p2", address="新宿区2"), side("3", "p3", number="h9")]
    theirs = [side("2", "CS-2"), side("3", "CS-3"), side("4", "CS-4")]

    compare_range(report, ours, theirs)

    assert report.missing_at_cs == ["p1"]
    assert report.unknown_at_cs == ["CS-4"]
    assert report.mismatched == [
        {"person_key": "p2", "fields": ["address"]},
        {"person_key": "p3", "fields": ["my_number"]},
    ]
    assert "新宿区2" not in str(report.as_json())
