"""What the demo prints: the register's records and CS's transmissions, with Japanese labels."""

from __future__ import annotations

from typing import Any

from counter import Counter
from jumin_contracts.codes import ChangeKind

Body = dict[str, Any]
TYPE_NAMES = {
    "identity": "本人確認情報",
    "fuhyo_notice": "附票記載事項通知",
    "my_number_request": "個人番号生成要求",
    "moveout_certificate": "転出証明書情報",
}
STATUS_NAMES = {"resident": "住民", "removed": "消除", "void": "取消"}


def masked(number: str | None) -> str:
    """個人番号 on screen: the last four digits only."""
    return "なし" if not number else f"********{number[-4:]}"


def heading(number: int, title: str) -> None:
    print(f"\n━━ {number}. {title} " + "━" * max(4, 60 - len(title) * 2))


def show_record(shown: Body) -> None:
    r = shown["record"]
    name = f"{r['family_name']} {r['given_name']}"
    status = STATUS_NAMES.get(r["status"], r["status"])
    print(
        f"    宛名番号 {shown['atena_no']}  {name:<8} {r['relationship']:<4} {status}"
        f"  住民票コード {r['juminhyo_code'] or '未付番'}"
    )
    print(f"        住所 {r['address']}  (履歴{shown['history_no']}: {shown['change_kind_name']})")
    if r.get("my_number_recorded"):
        number = r.get("my_number")
        print("        個人番号 記録あり" + (f" {masked(number)}" if number else ""))
    if r.get("planned_move_out_on"):
        print(f"        転出予定 {r['planned_move_out_on']} → {r['move_out_destination']}")
    if r.get("confirmed_move_out_on"):
        print(f"        転出確定 {r['confirmed_move_out_on']} → {r['confirmed_destination']}")


def show_received(rows: list[Body]) -> None:
    for row in rows:
        body = row["body"]
        kind = TYPE_NAMES.get(row["type"], row["type"])
        name = f"{body.get('family_name') or ''} {body.get('given_name') or ''}".strip()
        detail = []
        if row["type"] == "identity":
            status = STATUS_NAMES.get(body["record_status"], body["record_status"])
            detail = [f"住所 {body['address']}", status, f"個人番号 {masked(body['my_number'])}"]
        elif row["type"] == "moveout_certificate":
            detail = [f"転出先 {body['destination']}", f"転出予定日 {body['planned_on']}"]
        elif row["type"] == "my_number_request":
            detail = [f"住民票コード {body['juminhyo_code']}"]
        reason = body.get("change_reason")
        if reason:
            detail.append(f"{_kind_name(reason)} {body.get('change_date', '')}")
        print(f"    {row['receipt_no']}  {kind:<10} {name:<8} " + " / ".join(detail))


def _kind_name(code: str) -> str:
    """異動事由 as a clerk reads it (国内転入, 転居 …), the code when it is not one we know."""
    try:
        return ChangeKind(code).japanese
    except ValueError:
        return code


async def show_people(
    counter: Counter, atena_nos: list[str], *, show_my_number: bool = False
) -> None:
    print("  住民記録システムの記録:")
    for atena_no in atena_nos:
        show_record(await counter.record(atena_no, show_my_number=show_my_number))
