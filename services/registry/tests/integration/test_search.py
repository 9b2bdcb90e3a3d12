"""住民検索 on real PostgreSQL: kana normalisation, partial name, dates, address, code, paging."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .helpers import (
    OTHER_WARD_ADDRESS,
    TokenFactory,
    enter_and_approve,
    foreign_person,
    is_problem,
    juminhyo_code,
    move_in,
    person,
    search,
    view,
)

SHOJI_CODE = juminhyo_code("1234567890")


@pytest.fixture
async def residents(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, str]:
    """Register four households; return 宛名番号 by 名."""
    bodies = [
        move_in(
            person(
                "東海林",
                "太郎",
                "ショウジ",
                "タロウ",
                birth_date="1975-11-03",
                juminhyo_code=SHOJI_CODE,
            )
        ),
        move_in(
            person("庄司", "花子", "ショウジ", "ハナコ", birth_date="1988-08-08", sex="female")
        ),
        move_in(
            person("山田", "太一", "ヤマダ", "タイチ", birth_date="1975-11-03"),
            address=OTHER_WARD_ADDRESS,
        ),
        move_in(foreign_person(), address=OTHER_WARD_ADDRESS),
    ]
    numbers: dict[str, str] = {}
    for body in bodies:
        change = await enter_and_approve(client, token, body)
        record = (await view(client, token, f"/residents/{change['subjects'][0]}")).json()
        numbers[record["record"]["given_name"]] = record["atena_no"]
    return numbers


def _names(page: dict[str, Any]) -> list[str]:
    return [row["record"]["given_name"] for row in page["items"]]


@pytest.mark.parametrize(
    "typed",
    ["ショウジ", "ｼﾖｳｼﾞ", "ｼｮｳｼﾞ", "しようじ", "しょうじ", "ショウジ　", "シヨウシ゛", "ｼｮｳｼﾞﾀﾛｳ"],
)
async def test_kana_search_ignores_width_script_and_small_kana(
    client: httpx.AsyncClient, token: TokenFactory, residents: dict[str, str], typed: str
) -> None:
    page = await search(client, token, kana=typed)

    expected = ["太郎"] if typed.endswith("ﾀﾛｳ") else ["太郎", "花子"]
    assert _names(page) == expected


async def test_kana_search_is_a_prefix_search(
    client: httpx.AsyncClient, token: TokenFactory, residents: dict[str, str]
) -> None:
    assert _names(await search(client, token, kana="タロウ")) == []
    assert _names(await search(client, token, kana="ヤマ")) == ["太一"]


@pytest.mark.parametrize(
    ("typed", "found"), [("太", ["太郎", "太一"]), ("田太", ["太一"]), ("東海林 太郎", ["太郎"])]
)
async def test_part_of_a_name_finds_the_people_bearing_it(
    client: httpx.AsyncClient,
    token: TokenFactory,
    residents: dict[str, str],
    typed: str,
    found: list[str],
) -> None:
    assert sorted(_names(await search(client, token, name=typed))) == sorted(found)


async def test_an_alphabet_name_is_found_whatever_the_case_and_width(
    client: httpx.AsyncClient, token: TokenFactory, residents: dict[str, str]
) -> None:
    assert _names(await search(client, token, name="ｓｍｉｔｈ")) == ["ジョン"]
    assert _names(await search(client, token, name="smith john")) == ["ジョン"]


async def test_a_birth_date_finds_everyone_born_that_day(
    client: httpx.AsyncClient, token: TokenFactory, residents: dict[str, str]
) -> None:
    page = await search(client, token, birth_date="1975-11-03")

    assert sorted(_names(page)) == ["太一", "太郎"]
    combined = await search(client, token, birth_date="1975-11-03", kana="ヤマダ")
    assert _names(combined) == ["太一"]


async def test_part_of_an_address_finds_who_lives_there(
    client: httpx.AsyncClient, token: TokenFactory, residents: dict[str, str]
) -> None:
    page = await search(client, token, address="大久保三丁目")

    assert sorted(_names(page)) == sorted(["太一", "ジョン"])
    assert all("大久保三丁目" in row["record"]["address"] for row in page["items"])


async def test_a_juminhyo_code_finds_exactly_its_holder(
    client: httpx.AsyncClient, token: TokenFactory, residents: dict[str, str]
) -> None:
    page = await search(client, token, juminhyo_code=SHOJI_CODE)

    assert [row["atena_no"] for row in page["items"]] == [residents["太郎"]]
    assert page["items"][0]["record"]["juminhyo_code"] == SHOJI_CODE


async def test_pages_are_stable_and_cover_every_hit_once(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    given = [("一", "イチ"), ("二", "ニ"), ("三", "サン"), ("四", "シ"), ("五", "ゴ")]
    for name, kana in given:
        await enter_and_approve(client, token, move_in(person("田中", name, "タナカ", kana)))

    pages = [await search(client, token, kana="タナカ", limit=2, offset=o) for o in (0, 2, 4)]
    again = await search(client, token, kana="タナカ", limit=2, offset=0)

    assert [page["has_more"] for page in pages] == [True, True, False]
    assert [len(page["items"]) for page in pages] == [2, 2, 1]
    hits = [row["atena_no"] for page in pages for row in page["items"]]
    assert len(set(hits)) == 5
    # ordered by フリガナ (タナカイチ < タナカゴ < タナカサン < タナカシ < タナカニ), then 宛名番号
    assert [row["record"]["given_name"] for page in pages for row in page["items"]] == [
        "一",
        "五",
        "三",
        "四",
        "二",
    ]
    assert again["items"] == pages[0]["items"]


async def test_namesakes_page_in_atena_number_order_without_repeats(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    for _ in range(3):
        await enter_and_approve(client, token, move_in(person("佐藤", "花", "サトウ", "ハナ")))

    pages = [await search(client, token, kana="サトウハナ", limit=1, offset=o) for o in range(3)]

    hits = [row["atena_no"] for page in pages for row in page["items"]]
    assert hits == sorted(set(hits))
    assert len(hits) == 3
    assert [page["has_more"] for page in pages] == [True, True, False]


async def test_a_search_without_criteria_is_refused(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    for params in ({}, {"kana": "  "}, {"name": "　"}, {"include_removed": "true"}):
        response = await view(client, token, "/residents", **params)

        assert is_problem(response, 422), (params, response.text)


@pytest.mark.parametrize("wildcard", ["%", "_", "%%", "\\", "ショウ%", "_ョウジ"])
async def test_like_wildcards_typed_by_a_clerk_match_only_themselves(
    client: httpx.AsyncClient, token: TokenFactory, residents: dict[str, str], wildcard: str
) -> None:
    for criterion in ("kana", "name", "address"):
        page = await search(client, token, **{criterion: wildcard})

        assert page["items"] == [], (criterion, wildcard)
