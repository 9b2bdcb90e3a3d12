"""The operator API names its terminal (端末名, spec 10.2); a 422 says what is wrong in `detail`."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Running
from .test_delivery import Db

HEADER = "X-Jumin-Terminal"
MANUAL_ON = {"manual": True, "reason": "CS保守のため手動連携"}


async def _last_seq(db: Db) -> int:
    return int(await db.fetchval("SELECT coalesce(max(seq), 0) FROM cs_adapter.access_log"))


async def _rows_after(db: Db, seq: int) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM cs_adapter.access_log WHERE seq > $1 ORDER BY seq", seq)
    return [dict(r) for r in rows]


@pytest.mark.parametrize("terminal", [None, "", " ", "t" * 65, "ops\x1bterm"])
async def test_switching_manual_mode_without_a_terminal_is_refused_and_changes_nothing(
    adapter: Running, db: Db, terminal: str | None
) -> None:
    headers = {k: v for k, v in adapter.admin.items() if k != HEADER}
    if terminal is not None:
        headers[HEADER] = terminal
    start = await _last_seq(db)

    refused = await adapter.api.put("/operator/manual-mode", json=MANUAL_ON, headers=headers)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert HEADER in refused.json()["detail"]
    assert ["header", HEADER] in [e["loc"] for e in refused.json()["errors"]]
    mode = await adapter.api.get("/operator/manual-mode", headers=adapter.admin)
    assert mode.json()["manual"] is False
    [row, _] = await _rows_after(db, start)
    assert (row["operator"], row["outcome"], row["status_code"]) == ("ops-tanaka", "refused", 422)


async def test_the_kits_routes_need_the_terminal_too(adapter: Running) -> None:
    headers = {k: v for k, v in adapter.admin.items() if k != HEADER}

    assert (await adapter.api.get("/operator/dead", headers=headers)).status_code == 422
    assert (await adapter.api.get("/operator/held", headers=headers)).status_code == 422


async def test_authentication_is_checked_before_the_terminal(adapter: Running) -> None:
    assert (await adapter.api.get("/operator/held")).status_code == 401


async def test_a_bad_resend_request_is_explained_in_the_detail(adapter: Running) -> None:
    response = await adapter.api.post(
        "/operator/deliveries/resend", json={"reason": "再送"}, headers=adapter.admin
    )

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "give delivery_ids, or from and to — one of them" in detail
    assert "Value error" not in response.text
