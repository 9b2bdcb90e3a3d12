"""The 整合性確認 diff: missing, unknown and mismatched records, named without values."""

from __future__ import annotations

from cs_adapter.domain.consistency import COMPARED_FIELDS, cs_record, new_report
from jumin_platform.consistency.compare import Record, Report, compare_range


def side(code: str, ref: str, number: str | None = "h1", **body: str) -> Record:
    base = {"family_name": "新宿", "given_name": "花子", "address": "新宿区1", "sex": "2"}
    return cs_record(code, base | body, number, ref)


def compare(report: Report, ours: list[Record], theirs: list[Record]) -> None:
    compare_range(report, ours, theirs, COMPARED_FIELDS)


def test_matching_records_report_nothing() -> None:
    report = new_report()
    compare(report, [side("1", "p1")], [side("1", "CS-1")])
    assert report.as_json() == {
        "checked": 1,
        "cs_records": 1,
        "missing_at_cs": [],
        "unknown_at_cs": [],
        "mismatched": [],
    }


def test_differences_name_people_fields_and_receipts_only() -> None:
    report = new_report()
    ours = [side("1", "p1"), side("2", "p2", address="新宿区2"), side("3", "p3", number="h9")]
    theirs = [side("2", "CS-2"), side("3", "CS-3"), side("4", "CS-4")]

    compare(report, ours, theirs)

    assert report.missing == ["p1"]
    assert report.unknown == ["CS-4"]
    assert report.mismatched == [
        {"person_key": "p2", "fields": ["address"]},
        {"person_key": "p3", "fields": ["my_number"]},
    ]
    assert "新宿区2" not in str(report.as_json())
