"""The demo's 法務省 side: a foreign resident's day.

グエン ティ ホア (a 中長期在留者) moves in from abroad (法第30条の46転入); moj_notify sends the
ministry (出入国在留管理庁, its simulator) the 市町村通知 and the 市町村伝達. The ministry then
extends her period of stay and sends a 長官通知 (住基法30条の50): it arrives in the registry as a
pending 職権修正 by `system:moj`, which a reviewer approves. Every run enters a new 在留カード番号,
so the demo can be run again.
"""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

from counter import Body, Counter, answer, until
from screen import heading, show_people

ADDRESS = "大久保二丁目7番3号"
STAY_EXPIRES = date.today() + timedelta(days=30)
EXTENDED_TO = date.today() + timedelta(days=3 * 365)
NOTICE_NAMES = {"municipal_notice": "市町村通知", "municipal_transmission": "市町村伝達"}


def card_no() -> str:
    """A new 在留カード番号 for this run."""
    letters, digits = string.ascii_uppercase, string.digits
    return (
        "".join(random.choices(letters, k=2))
        + "".join(random.choices(digits, k=8))
        + "".join(random.choices(letters, k=2))
    )


def newcomer(card: str, today: date) -> Body:
    """法第30条の46転入 of one 中長期在留者 as a new household."""
    return {
        "kind": "foreign_move_in_30_46",
        "occurred_on": today.isoformat(),
        "notified_on": today.isoformat(),
        "address": ADDRESS,
        "persons": [
            {
                "resident_type": "foreign",
                "family_name": "グエン",
                "given_name": "ティ ホア",
                "family_name_kana": "グエン",
                "given_name_kana": "ティホア",
                "birth_date": "1998-04-12",
                "sex": "female",
                "relationship": "世帯主",
                "foreign": {
                    "nationality": "ベトナム",
                    "name_alphabet": "NGUYEN THI HOA",
                    "foreign_category": "mid_long_term",
                    "status_of_residence": "技術・人文知識・国際業務",
                    "period_of_stay": "1年",
                    "stay_expires_on": STAY_EXPIRES.isoformat(),
                    "residence_card_no": card,
                },
            }
        ],
    }


async def ministry_received(counter: Counter, card: str, count: int) -> list[Body]:
    """Wait until the ministry has received `count` transmissions about the card; return them."""

    async def enough() -> list[Body] | None:
        rows = answer(await counter.moj.get("/sim/received"), 200)
        rows = rows["items"] if isinstance(rows, dict) else rows
        about = [r for r in rows if r["body"].get("residence_card_no") == card]
        return about if len(about) >= count else None

    found: list[Body] = await until(enough, "the ministry did not receive the notices")
    return found


def show_ministry_received(rows: list[Body]) -> None:
    for row in rows:
        body = row["body"]
        what = NOTICE_NAMES.get(row["type"], row["type"])
        reason = body.get("change_reason") or f"届出 {body.get('filing_article')}"
        print(
            f"    {row['receipt_no']}  {what} {body.get('name_alphabet')}  {reason}"
            f"  国籍・地域 {body['nationality']}  在留カード {body['residence_card_no']}"
        )


async def pending_from_ministry(counter: Counter, atena_no: str) -> Body:
    """Wait for the pending change the 長官通知 became; return it."""

    async def found() -> Body | None:
        params = {"status": "pending", "atena_no": atena_no}
        response = await counter.registry.get("/changes", params=params, headers=counter.reviewer)
        return next(iter(answer(response, 200)["items"]), None)

    change: Body = await until(found, "the 長官通知 did not reach the registry")
    return change


async def foreign_residents_day(counter: Counter, number: int, today: date) -> None:
    """転入 → 市町村通知・市町村伝達 → 長官通知 (在留期間更新) → pending → approved."""
    heading(number, "外国人住民の一日: 法第30条の46転入、法務省への通知、長官通知")
    card = card_no()
    (atena_no,) = (await counter.enter(newcomer(card, today)))["subjects"]
    await show_people(counter, [atena_no])
    print("  出入国在留管理庁 (simulator) が受信:")
    show_ministry_received(await ministry_received(counter, card, 2))
    notice = {
        "kind": "period_extension",
        "residence_card_no": card,
        "effective_date": today.strftime("%Y%m%d"),
        "corrections": {
            "period_of_stay": "3年",
            "stay_expires_on": EXTENDED_TO.strftime("%Y%m%d"),
        },
        "notice_text": "在留期間更新許可",
    }
    answer(await counter.moj.post("/sim/director-notices", json=notice), 201)
    print(f"  出入国在留管理庁が在留期間を更新 (満了日 {EXTENDED_TO}) → 長官通知 (住基法30条の50)")
    change = await pending_from_ministry(counter, atena_no)
    print(f"  住民記録システムに仮登録の{change['kind_name']} (入力者 {change['created_by']})")
    approved = answer(
        await counter.registry.post(
            f"/changes/{change['change_id']}/approve", headers=counter.reviewer
        ),
        200,
    )
    record = (await counter.record(atena_no))["record"]
    print(
        f"  決裁者が本登録 ({approved['status']}): 在留期間 {record['period_of_stay']}"
        f" 満了日 {record['stay_expires_on']} (法務省への通知は不要: 法務省が元の変更)"
    )
