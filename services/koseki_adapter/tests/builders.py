"""Contract payloads and the 戸籍 the simulator holds for them (invented people, valid codes)."""

from __future__ import annotations

from typing import Any

from jumin_contracts.check_digits import juminhyo_code_check_digit
from jumin_contracts.codes import ChangeKind, Sex
from jumin_contracts.messages import KosekiFuhyoNotice
from jumin_testing.envelopes import person, wrap

__all__ = ["HITTOSHA", "HONSEKI", "fuhyo_notice", "juminhyo_code", "koseki", "person", "wrap"]

HONSEKI = "東京都新宿区歌舞伎町一丁目1番"
HITTOSHA = "新宿 太郎"


def juminhyo_code(n: int) -> str:
    """Return a valid 住民票コード built from *n*."""
    body = f"{n:010d}"
    return body + juminhyo_code_check_digit(body)


def fuhyo_notice(**changes: Any) -> KosekiFuhyoNotice:
    """A 転居 of 花子, whose 戸籍 `koseki(...)` seeds (same 氏名, 生年月日, 性別)."""
    values: dict[str, Any] = {
        "change_kind": ChangeKind.MOVE_WITHIN_WARD,
        "occurred_on": "2026-11-20",
        "honseki": HONSEKI,
        "hittosha": HITTOSHA,
        "family_name": "新宿",
        "given_name": "花子",
        "address": "東京都新宿区新宿三丁目1番1号",
        "moved_abroad": False,
        "abroad_country": None,
        "address_since": "2026-11-20",
        "birth_date": "1982-02-02",
        "sex": Sex.FEMALE,
        "juminhyo_code": juminhyo_code(2),
    }
    return KosekiFuhyoNotice(**(values | changes))


def member(code: str, given_name: str, **changes: Any) -> dict[str, Any]:
    """A member of the seeded 戸籍 (the 附票 knows their code and first 住所)."""
    values: dict[str, Any] = {
        "juminhyo_code": code,
        "family_name": "新宿",
        "given_name": given_name,
        "birth_date": "19820202",
        "sex": "2",
        "addresses": [{"address": "東京都新宿区西新宿二丁目8番1号", "address_since": "20100401"}],
    }
    return values | changes


def koseki(*members: dict[str, Any], honseki: str = HONSEKI) -> dict[str, Any]:
    """A `PUT /sim/koseki` body: the 戸籍 at `honseki` with the given members."""
    return {"honseki": honseki, "hittosha": HITTOSHA, "members": list(members)}
