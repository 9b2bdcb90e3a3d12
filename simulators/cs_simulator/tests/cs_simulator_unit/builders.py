"""Valid 電文 bodies and small helpers for the simulator's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jumin_contracts.check_digits import juminhyo_code_check_digit
from jumin_testing.simulator_kit import envelope, message_sender


def juminhyo_code(n: int) -> str:
    """Return a valid 住民票コード built from *n*."""
    body = f"{n:010d}"
    return body + juminhyo_code_check_digit(body)


def identity_body(code: str, **changes: Any) -> dict[str, Any]:
    """Return a valid 本人確認情報 body."""
    body: dict[str, Any] = {
        "juminhyo_code": code,
        "my_number": None,
        "family_name": "新宿",
        "given_name": "花子",
        "family_name_kana": "シンジュク",
        "given_name_kana": "ハナコ",
        "birth_date": "19900401",
        "sex": "2",
        "address": "東京都新宿区歌舞伎町一丁目4番1号",
        "record_status": "resident",
        "change_reason": "birth",
        "change_date": "19900401",
    }
    return body | changes


BODIES: dict[str, Callable[[str], dict[str, Any]]] = {
    "identity": identity_body,
    "fuhyo_notice": lambda code: {
        "destination_municipality": "大阪市",
        "destination_municipality_code": "271004",
        "honseki": "大阪府大阪市北区中之島一丁目3番",
        "hittosha": "新宿 太郎",
        "family_name": "新宿",
        "given_name": "花子",
        "address": "東京都新宿区歌舞伎町一丁目4番1号",
        "moved_abroad": False,
        "abroad_country": None,
        "address_since": "20240400",
        "birth_date": "19900401",
        "sex": "2",
        "juminhyo_code": code,
        "change_reason": "domestic_move_in",
        "change_date": "20240415",
    },
    "my_number_request": lambda code: {"juminhyo_code": code, "reason": "new"},
    "moveout_certificate": lambda code: {
        "juminhyo_code": code,
        "my_number": "123456789018",
        "family_name": "新宿",
        "given_name": "花子",
        "birth_date": "19900401",
        "sex": "2",
        "address": "東京都新宿区歌舞伎町一丁目4番1号",
        "destination": "大阪府大阪市北区中之島一丁目3番20号",
        "planned_on": "20261201",
        "head_name": "新宿 花子",
        "relationship": "世帯主",
        "change_reason": "domestic_move_out",
        "change_date": "20261127",
    },
}


def message(type_: str, body: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """Wrap a body in a transmission envelope."""
    return envelope(body, sent_at="2026-11-27T10:00:00+09:00", event_id=event_id, type=type_)


send = message_sender("/cs/v1/messages")
"""POST one transmission with an idempotency key."""
