"""`make demo`: a scripted day at the counter against a running `make up`.

A family whose 本籍 is in the ward moves in (国内転入), a child is born (出生) and gets a 個人番号
through 市町村CS, the family moves within the ward (転居), the eldest son marries — filed on the
戸籍 side, the 住民票記載事項通知 becomes a pending 職権修正 a reviewer approves — then moves out
(国内転出) and the municipality he moved to sends its 転入通知 (through the CS simulator); last, a
foreign resident's day: a 法第30条の46転入 whose 市町村通知 reaches 出入国在留管理庁, and the
ministry's 長官通知 (在留期間更新) back as a pending change a reviewer approves. After each step the
demo prints what the registry recorded (its API, as staff), what CS received, what the ward's
戸籍附票システム and the ministry received (the simulators' /sim/received).

Needs the registry (JUMIN_REGISTRY_PORT, 8100), the cs_adapter (JUMIN_CS_ADAPTER_PORT, 8301), the
koseki_adapter (JUMIN_KOSEKI_ADAPTER_PORT, 8302), moj_notify (JUMIN_MOJ_NOTIFY_PORT, 8303) and the
simulators (JUMIN_CS_SIMULATOR_PORT 8900, JUMIN_KOSEKI_SIMULATOR_PORT 8901,
JUMIN_MOJ_SIMULATOR_PORT 8902) running on 127.0.0.1 — `make up` runs them — and the development
key in var/keys (made by `make up`); it signs its own staff tokens. Every run enters new people
(fresh 住民票コード and 個人番号; the family's 戸籍 is seeded again with them), so it can be run
again.

    uv run python demo
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date, timedelta

import httpx
from counter import (
    KEY_FILE,
    KOSEKI_SIMULATOR_URL,
    MOJ_SIMULATOR_URL,
    REGISTRY_URL,
    SIMULATOR_URL,
    Counter,
    answer,
    bearer,
    cs_receives,
    person,
    services_down,
    until,
)
from koseki import (
    NEW_HONSEKI,
    approve,
    file_marriage,
    fuhyo_of,
    fuhyo_received_since,
    fuhyo_receives,
    koseki_member,
    pending_amendment,
    seed_koseki,
    show_fuhyo,
    show_fuhyo_received,
)
from moj import foreign_residents_day
from screen import heading, show_people, show_received

TODAY = date.today()
FIRST_ADDRESS = "西新宿二丁目8番1号"
SECOND_ADDRESS = "大久保三丁目14番4号"
PREVIOUS_ADDRESS = "埼玉県川口市本町一丁目1番1号"
PLANNED_DESTINATION = "東京都中野区中野一丁目1番1号"
CONFIRMED_DESTINATION = "東京都中野区中野四丁目8番1号"
NAKANO = "131148"  # 中野区の地方公共団体コード
SPOUSE = "鈴木美咲"  # 一郎さんの妻 (婚姻後の戸籍の筆頭者; 区の住民ではない)


async def day_at_the_counter(counter: Counter) -> None:
    await counter.received_since()  # what CS held before today is not today's story
    await fuhyo_received_since(counter)  # nor what the 戸籍附票システム held
    family = [
        person("太郎", "タロウ", date(1980, 5, 1), "male", "世帯主"),
        person("花子", "ハナコ", date(1982, 7, 10), "female", "妻"),
        person("一郎", "イチロウ", date(2004, 1, 20), "male", "子"),
    ]
    codes = {p["juminhyo_code"] for p in family}
    baby_born = TODAY - timedelta(days=5)
    sakura = person("さくら", "サクラ", baby_born, "female", "子")
    # 本籍は区内 (戸籍附票システムが附票を持つ): 出生届で戸籍に入ったさくらさんは住民票コード未通知
    await seed_koseki(
        counter, [*map(koseki_member, family), koseki_member(sakura, with_code=False)]
    )

    heading(1, "国内転入: 山田さん一家 (3人) が川口市から転入")
    moved_in = await counter.enter(
        {
            "kind": "domestic_move_in",
            "occurred_on": (TODAY - timedelta(days=10)).isoformat(),
            "notified_on": (TODAY - timedelta(days=8)).isoformat(),
            "persons": family,
            "address": FIRST_ADDRESS,
            "previous_address": PREVIOUS_ADDRESS,
        }
    )
    members = list(moved_in["subjects"])
    await show_people(counter, members)
    print("  市町村CSが受信:")
    show_received(await cs_receives(counter, codes, len(family)))
    print("  戸籍附票システムが受信 (本籍が区内なので、附票記載事項通知は区の戸籍附票システムへ):")
    show_fuhyo_received(await fuhyo_receives(counter, codes, len(family)))

    heading(2, "出生: 山田さくら (住民票コードは区の空きコードから、個人番号はJ-LISから)")
    head = await counter.record(members[0])
    born = await counter.enter(
        {
            "kind": "birth",
            "occurred_on": baby_born.isoformat(),
            "notified_on": (TODAY - timedelta(days=4)).isoformat(),
            "persons": [{**sakura, "juminhyo_code": None, "my_number": None}],
            "join_household_no": head["record"]["household_no"],
        }
    )
    (baby,) = [a for a in born["subjects"] if a not in members]
    code = (await counter.record(baby))["record"]["juminhyo_code"]
    if code is None:
        print("  (区の空きコードが尽きていたため住民票コードなし: 個人番号生成要求は送られません)")
        await show_people(counter, [baby])
    else:
        codes.add(code)
        print(
            "  市町村CSが受信 (出生の本人確認情報、個人番号生成要求、J-LISの回答を記載した本人確認情報):"
        )
        show_received(await cs_receives(counter, {code}, 3))
        await until(
            lambda: _has_my_number(counter, baby), "the 個人番号 did not reach the registry"
        )
        await show_people(counter, [baby], show_my_number=True)
        print(
            "  戸籍附票システムが受信 (出生届で戸籍に入ったさくらさんの附票に住所と住民票コード):"
        )
        show_fuhyo_received(await fuhyo_receives(counter, {code}, 1))
    members.append(baby)

    heading(3, f"転居: 一家4人が {SECOND_ADDRESS} へ")
    await counter.enter(
        {
            "kind": "move_within_ward",
            "occurred_on": (TODAY - timedelta(days=3)).isoformat(),
            "notified_on": (TODAY - timedelta(days=2)).isoformat(),
            "atena_nos": members,
            "address": SECOND_ADDRESS,
        }
    )
    await show_people(counter, members)
    print("  市町村CSが受信:")
    show_received(await cs_receives(counter, codes, len(members)))
    print("  戸籍附票システムが受信 (住所を定めた年月日は転居の日):")
    show_fuhyo_received(await fuhyo_receives(counter, codes, len(codes)))

    ichiro, ichiro_code = members[2], family[2]["juminhyo_code"]
    await marriage(counter, ichiro, ichiro_code)

    heading(5, "国内転出: 一郎さんが中野区へ転出、中野区から転入通知")
    planned_on = TODAY - timedelta(days=1)
    await counter.enter(
        {
            "kind": "domestic_move_out",
            "occurred_on": planned_on.isoformat(),
            "notified_on": (TODAY - timedelta(days=2)).isoformat(),
            "atena_nos": [ichiro],
            "destination": PLANNED_DESTINATION,
        }
    )
    print("  市町村CSが受信:")
    show_received(await cs_receives(counter, {ichiro_code}, 2))
    notice = {
        "juminhyo_code": ichiro_code,
        "moved_in_on": TODAY.strftime("%Y%m%d"),
        "new_address": CONFIRMED_DESTINATION,
        "new_municipality_code": NAKANO,
    }
    answer(await counter.cs.post("/sim/move-in-notices", json=notice), 200, 201, 202)
    print(f"  中野区の転入通知 (転入日 {TODAY.isoformat()}) を市町村CS経由で送信")
    await until(lambda: _confirmed(counter, ichiro), "the 転入通知 did not reach the registry")
    await show_people(counter, [ichiro])
    await foreign_residents_day(counter, 6, TODAY)
    print("\n本日の異動は以上です。")


async def marriage(counter: Counter, ichiro: str, code: str) -> None:
    heading(4, f"婚姻 (戸籍の側から): 一郎さんが {SPOUSE} さんと婚姻、鈴木の氏に")
    await file_marriage(counter, code, SPOUSE, "鈴木", TODAY - timedelta(days=1))
    print("  本籍地 (区の戸籍) で婚姻届を受理 → 住民票記載事項通知 (住基法9条2項) を住所地へ")
    change = await pending_amendment(counter, ichiro)
    patch = change["request"].get("patch", {})
    print(f"  住民記録システムに仮登録の{change['kind_name']} (入力者 {change['created_by']}):")
    for item in ("family_name", "honseki", "hittosha"):
        if patch.get(item) is not None:
            print(f"    {item}: {patch[item]}")
    await approve(counter, change["change_id"])
    print("  決裁者が本登録:")
    await show_people(counter, [ichiro])
    print("  市町村CSが受信:")
    show_received(await cs_receives(counter, {code}, 1))
    print(
        "  戸籍附票システムの附票 (婚姻届で新しい戸籍へ。氏名・本籍は戸籍が元なので区からの通知は不要):"
    )
    show_fuhyo(await fuhyo_of(counter, NEW_HONSEKI, code))


async def _has_my_number(counter: Counter, atena_no: str) -> bool:
    return bool((await counter.record(atena_no))["record"]["my_number_recorded"])


async def _confirmed(counter: Counter, atena_no: str) -> bool:
    return (await counter.record(atena_no))["record"]["confirmed_move_out_on"] is not None


async def main() -> int:
    down = await services_down()
    if down:
        print("not running: " + ", ".join(down), file=sys.stderr)
        print(
            "start everything with `make up` (in another terminal), then `make demo`.",
            file=sys.stderr,
        )
        return 1
    if not KEY_FILE.exists():
        print(f"no development key at {KEY_FILE}: run `make up` first", file=sys.stderr)
        return 1
    print(
        f"住民記録システム {REGISTRY_URL} / 市町村CS (simulator) {SIMULATOR_URL} — {TODAY} の窓口"
    )
    async with (
        httpx.AsyncClient(base_url=REGISTRY_URL, timeout=30) as registry,
        httpx.AsyncClient(base_url=SIMULATOR_URL, timeout=30) as cs,
        httpx.AsyncClient(base_url=KOSEKI_SIMULATOR_URL, timeout=30) as koseki,
        httpx.AsyncClient(base_url=MOJ_SIMULATOR_URL, timeout=30) as moj,
    ):
        counter = Counter(
            registry=registry,
            cs=cs,
            koseki=koseki,
            moj=moj,
            clerk=bearer("demo-clerk", "clerk"),
            reviewer=bearer("demo-reviewer", "reviewer"),
            seen_receipts=set(),
        )
        await day_at_the_counter(counter)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
