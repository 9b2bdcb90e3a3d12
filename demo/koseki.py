"""The demo's 戸籍 side: the ward's 戸籍附票システム simulator (its test API) and the pending 職権修正 a
戸籍届 becomes in the registry.

The family's 戸籍 is seeded in the simulator before they move in (本籍 in the ward, 筆頭者 山田太郎):
every run replaces it, with the run's fresh 住民票コード, so the demo can be run again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from counter import HONSEKI, Body, Counter, answer, until

HITTOSHA = "山田太郎"
NEW_HONSEKI = HONSEKI.replace("8番地", "15番地")  # 婚姻後の戸籍 (区内)
LIVED_BEFORE = {"address": "埼玉県川口市本町一丁目1番1号", "address_since": "20100401"}


def wire_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def koseki_member(entered: Body, *, with_code: bool = True) -> Body:
    """A person as the 戸籍 (and its 附票) holds them, from what the counter enters."""
    member: Body = {
        "family_name": entered["family_name"],
        "given_name": entered["given_name"],
        "birth_date": entered["birth_date"].replace("-", ""),
        "sex": "1" if entered["sex"] == "male" else "2",
        "addresses": [{**LIVED_BEFORE, "moved_abroad": False}],
    }
    if with_code and entered.get("juminhyo_code"):
        member["juminhyo_code"] = entered["juminhyo_code"]
    return member


async def seed_koseki(counter: Counter, members: list[Body]) -> None:
    """The 山田 family's 戸籍 in the ward, as the 戸籍附票システム holds it."""
    body = {"honseki": HONSEKI, "hittosha": HITTOSHA, "members": members}
    answer(await counter.koseki.put("/sim/koseki", json=body), 200)


async def fuhyo_received_since(counter: Counter) -> list[Body]:
    """What the 戸籍附票システム received since the last call."""
    rows = answer(await counter.koseki.get("/sim/received"), 200)["items"]
    new = [r for r in rows if r["receipt_no"] not in counter.seen_fuhyo_receipts]
    counter.seen_fuhyo_receipts.update(r["receipt_no"] for r in new)
    return list(new)


async def fuhyo_receives(counter: Counter, codes: set[str], count: int) -> list[Body]:
    """Wait until the 戸籍附票システム has received `count` notices about these people."""
    got: list[Body] = []

    async def enough() -> bool:
        new = await fuhyo_received_since(counter)
        got.extend(r for r in new if r["body"].get("juminhyo_code") in codes)
        return len(got) >= count

    await until(enough, "the 戸籍附票システム did not receive the notices")
    return got


def show_fuhyo_received(rows: list[Body]) -> None:
    for row in rows:
        body = row["body"]
        where = body["address"] or f"国外転出 ({body['abroad_country']})"
        result = (
            "照合一致" if not row["mismatches"] else "照合不一致 " + ",".join(row["mismatches"])
        )
        print(
            f"    {row['receipt_no']}  附票記載事項通知 {body['family_name']} {body['given_name']}"
            f"  本籍 {body['honseki']} 筆頭者 {body['hittosha']}"
        )
        print(f"        住所 {where} (住所を定めた年月日 {body['address_since']})  → {result}")


async def file_marriage(counter: Counter, code: str, spouse: str, surname: str, on: date) -> None:
    """A 婚姻届 filed on the 戸籍 side: the person enters the spouse's new 戸籍 in the ward."""
    event = {
        "event": "marriage",
        "honseki": HONSEKI,
        "hittosha": HITTOSHA,
        "juminhyo_code": code,
        "new_honseki": NEW_HONSEKI,
        "new_hittosha": spouse,
        "new_family_name": surname,
        "event_date": wire_date(on),
    }
    answer(await counter.koseki.post("/sim/koseki-events", json=event), 201)


async def fuhyo_of(counter: Counter, honseki: str, code: str) -> Body:
    """The 附票 line of one person of a 戸籍 the 戸籍附票システム holds."""
    response = await counter.koseki.get("/sim/koseki", params={"honseki": honseki})
    held = answer(response, 200)["items"]
    for koseki in held:
        for member in koseki["members"]:
            if member["juminhyo_code"] == code:
                return {"honseki": koseki["honseki"], "hittosha": koseki["hittosha"], **member}
    raise SystemExit("the 戸籍附票システム holds no 附票 for the person")


def show_fuhyo(held: Body) -> None:
    latest = held["addresses"][-1]
    print(
        f"    {held['family_name']} {held['given_name']}  本籍 {held['honseki']}"
        f" 筆頭者 {held['hittosha']}"
    )
    print(f"        住所 {latest['address']} (住所を定めた年月日 {latest['address_since']})")


async def pending_amendment(counter: Counter, atena_no: str) -> Body:
    """Wait for the pending 職権修正 the 住民票記載事項通知 became; return it."""

    async def found() -> Body | None:
        params: dict[str, Any] = {"status": "pending", "atena_no": atena_no}
        response = await counter.registry.get("/changes", params=params, headers=counter.reviewer)
        items = answer(response, 200)["items"]
        return next((c for c in items if c["kind"] == "ex_officio_amendment"), None)

    change: Body = await until(found, "the 住民票記載事項通知 did not reach the registry")
    return change


async def approve(counter: Counter, change_id: str) -> Body:
    path = f"/changes/{change_id}/approve"
    return dict(answer(await counter.registry.post(path, headers=counter.reviewer), 200))
