"""The 整合性確認 walk: each external page against the adapter's records of the same code range."""

from __future__ import annotations

from jumin_platform.consistency.checks import Page, compare_in_pages
from jumin_platform.consistency.compare import Record, Report

NAMES = ("address",)


def rec(code: str, ref: str, address: str = "x") -> Record:
    return Record(code, {"address": address}, ref)


async def test_pages_pair_codes_across_ranges_and_the_last_page_takes_the_rest() -> None:
    external = [rec("01", "e1"), rec("03", "e3", "changed"), rec("05", "e5")]
    ours = [rec("01", "p1"), rec("02", "p2"), rec("03", "p3"), rec("09", "p9")]
    asked: list[tuple[str | None, str | None]] = []

    async def theirs(after: str | None) -> Page:
        rest = [r for r in external if after is None or r.juminhyo_code > after]
        page = rest[:2]
        return page, (page[-1].juminhyo_code if len(rest) > 2 else None)

    async def mine(after: str | None, upto: str | None) -> list[Record]:
        asked.append((after, upto))
        return [
            r
            for r in ours
            if (after is None or r.juminhyo_code > after)
            and (upto is None or r.juminhyo_code <= upto)
        ]

    report = await compare_in_pages(Report("x"), theirs=theirs, ours=mine, names=NAMES)

    assert asked == [(None, "03"), ("03", None)]
    assert (report.checked, report.records) == (4, 3)
    assert report.missing == ["p2", "p9"]
    assert report.unknown == ["e5"]
    assert report.mismatched == [{"person_key": "p3", "fields": ["address"]}]
