"""住民検索 that forgives variants (spec 2.1.2) on real PostgreSQL: IVS, 異体字, fuzzy kana.

The stored names stay byte-exact; only the search keys in registry.resident_current are folded.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from jumin_contracts.kana import normalize_kana, normalize_name
from registry.entrypoints import cli

from .helpers import TokenFactory, enter_and_approve, move_in, person, search, view

KATSURAGI_IVS = "葛\U000e0102城"  # 葛 + VS19: one of 葛's MJ glyphs (U+845B U+E0102 U+57CE)
KATSURAGI_ADOBE = "葛\U000e0100城"  # 葛 + VS17 (Adobe-Japan1 collection): not storable, searchable


async def _register(client: httpx.AsyncClient, token: TokenFactory, **names: str) -> str:
    """Register one person in a household of their own; return the 宛名番号."""
    body = move_in(
        person(
            names["family"],
            names.get("given", "一"),
            names.get("family_kana", "カツラギ"),
            names.get("given_kana", "ハジメ"),
        )
    )
    change = await enter_and_approve(client, token, body)
    atena_no: str = change["subjects"][0]
    return atena_no


def _atena_nos(page: dict[str, Any]) -> list[str]:
    return [row["atena_no"] for row in page["items"]]


@pytest.fixture
async def katsuragi(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, str]:
    """Two 葛城: one written with the IVS glyph, one with the bare code point."""
    return {
        "ivs": await _register(client, token, family=KATSURAGI_IVS, given="一"),
        "plain": await _register(client, token, family="葛城", given="二"),
    }


@pytest.mark.parametrize("typed", ["葛城", KATSURAGI_IVS, KATSURAGI_ADOBE, "葛城 一"])
async def test_a_name_with_or_without_its_ivs_finds_both_spellings(
    client: httpx.AsyncClient, token: TokenFactory, katsuragi: dict[str, str], typed: str
) -> None:
    page = await search(client, token, name=typed)

    expected = [katsuragi["ivs"]] if typed.endswith("一") else sorted(katsuragi.values())
    assert sorted(_atena_nos(page)) == expected


async def test_the_stored_name_keeps_its_ivs_byte_for_byte(
    client: httpx.AsyncClient,
    token: TokenFactory,
    katsuragi: dict[str, str],
    owner_connection: Any,
) -> None:
    page = await search(client, token, name="葛城")
    record = (await view(client, token, f"/residents/{katsuragi['ivs']}")).json()["record"]
    stored = await owner_connection.fetch(
        "SELECT family_name, hittosha FROM registry.resident_history WHERE atena_no = $1",
        katsuragi["ivs"],
    )

    found = {row["atena_no"]: row["record"]["family_name"] for row in page["items"]}
    assert found[katsuragi["ivs"]].encode() == KATSURAGI_IVS.encode()
    assert record["family_name"].encode() == "葛\U000e0102城".encode()
    assert [r["family_name"] for r in stored] == [KATSURAGI_IVS]
    assert stored[0]["hittosha"] == f"{KATSURAGI_IVS}一"


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("髙橋", "高橋"),  # MJ縮退: JIS包摂規準・UCS統合規則
        ("高橋", "髙橋"),
        ("山﨑", "山崎"),  # MJ縮退: 法務省戸籍法関連通達・通知
        ("山崎", "山﨑"),
        ("渡邉", "渡邊"),  # both fold to 辺
        ("濱田", "浜田"),
    ],
)
async def test_a_variant_kanji_finds_its_mj_shrink_counterpart(
    client: httpx.AsyncClient, token: TokenFactory, stored: str, typed: str
) -> None:
    wanted = await _register(client, token, family=stored, given="一")
    await _register(client, token, family="田中", given="一")

    page = await search(client, token, name=typed)

    assert _atena_nos(page) == [wanted]
    assert page["items"][0]["record"]["family_name"] == stored


async def test_a_kanji_is_not_folded_into_another_that_only_a_misprint_glyph_resembles(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    """The map files a 誤字 glyph of 帥 under the code point 師; 師岡 is not 帥岡."""
    await _register(client, token, family="師岡")

    assert (await search(client, token, name="帥岡"))["items"] == []


@pytest.fixture
async def kana_people(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, str]:
    """People whose フリガナ each exercise one rule of spec 2.1.2; 宛名番号 by stored kana."""
    stored = {
        "チヂワ": ("千々和", "ミキ"),
        "ツヅキ": ("都築", "ケン"),
        "ヴォルフ": ("ヴォルフ", "ハナ"),
        "イヴ": ("伊部", "アキ"),
        "オーノ": ("大野", "サトシ"),
        "コウノ": ("河野", "ユイ"),
        "ガトウ": ("我藤", "ジュン"),
        "カトウ": ("加藤", "ジュン"),
    }
    return {
        kana: await _register(
            client, token, family=family, given="一", family_kana=kana, given_kana=given_kana
        )
        for kana, (family, given_kana) in stored.items()
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("チジワ", "チヂワ"),  # ヂ/ジ
        ("ツズキ", "ツヅキ"),  # ヅ/ズ
        ("ボルフハナ", "ヴォルフ"),  # ヴォ/ボ
        ("イブアキ", "イヴ"),  # ヴ/ブ
        ("オノサトシ", "オーノ"),  # 長音の有無
        ("コオノ", "コウノ"),  # ウ after オ段
        ("ｺｵﾉ ﾕｲ", "コウノ"),  # 半角 and a space between 氏 and 名, as before; ウ/オ
        ("がとお", "ガトウ"),  # ひらがな, as before; ウ/オ
    ],
)
async def test_fuzzy_kana_of_spec_2_1_2_finds_the_person(
    client: httpx.AsyncClient,
    token: TokenFactory,
    kana_people: dict[str, str],
    typed: str,
    stored: str,
) -> None:
    page = await search(client, token, kana=typed)

    assert _atena_nos(page) == [kana_people[stored]]
    assert page["items"][0]["record"]["family_name_kana"] == stored  # shown as stored


async def test_voicing_counts_unless_the_clerk_asks_to_ignore_it(
    client: httpx.AsyncClient, token: TokenFactory, kana_people: dict[str, str]
) -> None:
    default = await search(client, token, kana="カトウ")
    explicit = await search(client, token, kana="カトウ", ignore_voicing="false")
    loose = await search(client, token, kana="カトウ", ignore_voicing="true")
    loose_voiced = await search(client, token, kana="ガド", ignore_voicing="true")

    assert _atena_nos(default) == _atena_nos(explicit) == [kana_people["カトウ"]]
    assert sorted(_atena_nos(loose)) == sorted([kana_people["カトウ"], kana_people["ガトウ"]])
    assert sorted(_atena_nos(loose_voiced)) == sorted(_atena_nos(loose))


async def test_migrate_refreshes_keys_written_before_the_rules(
    client: httpx.AsyncClient,
    token: TokenFactory,
    katsuragi: dict[str, str],
    kana_people: dict[str, str],
    owner_connection: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Rows as migration 0007 finds them (old keys, version 0) are refreshed by `migrate`;
    the names they were computed from are read, never rewritten."""
    names_before = await owner_connection.fetch(_NAMES)
    await _as_before_migration_0007(owner_connection)
    assert _atena_nos(await search(client, token, name="葛城")) == [katsuragi["plain"]]
    assert (await search(client, token, kana="チジワ"))["items"] == []

    assert await asyncio.to_thread(cli.main, ["migrate"]) == 0

    rows = await owner_connection.fetchval("SELECT count(*) FROM registry.resident_current")
    assert f"registry: {rows} search key row(s) refreshed" in capsys.readouterr().out
    assert sorted(_atena_nos(await search(client, token, name="葛城"))) == sorted(
        katsuragi.values()
    )
    assert _atena_nos(await search(client, token, kana="チジワ")) == [kana_people["チヂワ"]]
    assert await owner_connection.fetch(_NAMES) == names_before
    assert await asyncio.to_thread(cli.main, ["reindex-search"]) == 0
    assert "registry: 0 search key row(s) refreshed" in capsys.readouterr().out


_NAMES = """
SELECT atena_no, history_no, convert_to(family_name || '|' || given_name || '|' ||
       family_name_kana || '|' || given_name_kana, 'UTF8') AS names
  FROM registry.resident_history ORDER BY atena_no, history_no
"""


async def _as_before_migration_0007(connection: Any) -> None:
    """Put back the keys the registry wrote before issue 11 (and version 0, as 0007 leaves them)."""
    rows = await connection.fetch(
        """
        SELECT c.atena_no, h.family_name || h.given_name AS name,
               h.family_name_kana || h.given_name_kana AS kana
          FROM registry.resident_current c JOIN registry.resident_history h USING (atena_no, history_no)
        """
    )
    for row in rows:
        await connection.execute(
            """
            UPDATE registry.resident_current
               SET kana_key = $2, name_key = $3, kana_loose_key = '', search_keys_version = 0
             WHERE atena_no = $1
            """,
            row["atena_no"],
            normalize_kana(row["kana"]),
            normalize_name(row["name"]),
        )
