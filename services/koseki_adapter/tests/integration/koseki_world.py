"""A 戸籍 held by the simulator and the 戸籍 events and notices tests inject into it."""

from __future__ import annotations

from typing import Any

import httpx
from jumin_contracts.check_digits import juminhyo_code_check_digit

HONSEKI = "東京都新宿区歌舞伎町一丁目1番"
HITTOSHA = "新宿 太郎"
ADDRESS = "東京都新宿区西新宿二丁目8番1号"
NEW_HONSEKI = "東京都新宿区新宿一丁目1番"
NEW_HITTOSHA = "山田 一郎"


def juminhyo_code(n: int) -> str:
    """Return a valid 住民票コード built from *n*."""
    body = f"{n:010d}"
    return body + juminhyo_code_check_digit(body)


FATHER, MOTHER = juminhyo_code(1), juminhyo_code(2)


def member(code: str, given_name: str, birth_date: str, sex: str, **changes: Any) -> dict[str, Any]:
    """A member of the 戸籍 with one 住所 line on the 附票."""
    return {
        "juminhyo_code": code,
        "family_name": "新宿",
        "given_name": given_name,
        "birth_date": birth_date,
        "sex": sex,
        "addresses": [{"address": ADDRESS, "address_since": "20100401"}],
    } | changes


async def seed_koseki(sim: httpx.AsyncClient, *members: dict[str, Any]) -> None:
    """Seed the 戸籍 (by default a couple, both with codes on the 附票)."""
    body = {
        "honseki": HONSEKI,
        "hittosha": HITTOSHA,
        "members": list(members)
        or [member(FATHER, "太郎", "19800101", "1"), member(MOTHER, "花子", "19820202", "2")],
    }
    response = await sim.put("/sim/koseki", json=body)
    assert response.status_code == 200, response.text


async def marry(sim: httpx.AsyncClient, code: str = MOTHER) -> dict[str, Any]:
    """File a 婚姻 at the 本籍地: the person leaves for a new 戸籍 with a new 氏; the queued item."""
    response = await sim.post(
        "/sim/koseki-events",
        json={
            "event": "marriage",
            "honseki": HONSEKI,
            "hittosha": HITTOSHA,
            "juminhyo_code": code,
            "new_honseki": NEW_HONSEKI,
            "new_hittosha": NEW_HITTOSHA,
            "new_family_name": "山田",
            "event_date": "20261201",
        },
    )
    assert response.status_code == 201, response.text
    [item] = response.json()["items"]
    return dict(item)
