"""個人番号の変更 and 住民票コードの変更 travel through 市町村CS (issue 11, item 4; spec 7.1.2.1, 4.3.2).

Real processes (see conftest.py): the registry API, relay and command consumer, the cs_adapter
and the CS simulator.

- a 個人番号の変更請求, approved → CS gets a 生成要求 with reason `change` for a code that already had
  its 新規付番 → J-LIS's new number comes back → the register records it and CS gets the updated
  本人確認情報 with the new number;
- a 住民票コードの変更, approved → the new code from the pool CS filled → CS holds the person under
  the new code and no longer under the old one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from jumin_testing.e2e.clients import Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.scenarios import birth_and_my_number
from jumin_testing.waiting import eventually

TODAY = date.today().isoformat()


def _change(kind: str, atena_no: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "occurred_on": TODAY, "notified_on": TODAY, "atena_no": atena_no, **extra}


async def test_a_my_number_change_request_brings_a_new_number_through_cs(
    registry: RegistryClient, cs: SimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    newborn = await birth_and_my_number(registry, cs, outbox, seen)
    atena_no = newborn.atena_no
    code = (await registry.resident(atena_no))["record"]["juminhyo_code"]
    first = (await registry.resident(atena_no, show_my_number=True))["record"]["my_number"]

    await registry.enter(
        _change("my_number_change_request", atena_no, reason="漏えいして不正に用いられるおそれ")
    )

    def renumbered(rows: list[Any]) -> bool:
        return any(
            r["type"] == "identity" and r["body"]["my_number"] not in (None, first) for r in rows
        )

    at_cs = await eventually(
        lambda: cs.of_person(code),
        renumbered,
        what="CS to receive the 本人確認情報 with the new 個人番号",
        within=45,
        every=0.2,
    )
    seen.update(r["body"]["my_number"] for r in at_cs if r["body"].get("my_number"))
    requests = [r["body"]["reason"] for r in at_cs if r["type"] == "my_number_request"]
    assert requests == ["new", "change"]
    shown = await registry.resident(atena_no, show_my_number=True)
    assert shown["record"]["my_number"] not in (None, first)
    kinds = [h["change_kind"] for h in await registry.history(atena_no)]
    assert kinds == ["birth", "my_number_entry", "my_number_change_request", "my_number_entry"]


async def test_a_juminhyo_code_change_moves_the_person_to_a_new_code_at_cs(
    registry: RegistryClient, cs: SimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    newborn = await birth_and_my_number(registry, cs, outbox, seen)
    old = (await registry.resident(newborn.atena_no))["record"]["juminhyo_code"]

    await registry.enter(_change("juminhyo_code_change", newborn.atena_no))

    new = (await registry.resident(newborn.atena_no))["record"]["juminhyo_code"]
    seen.add(new)
    assert new not in (None, old)
    held = await eventually(
        lambda: _identities_at_cs(cs),
        lambda codes: new in codes,
        what="CS to hold the person under the new code",
        within=45,
        every=0.2,
    )
    assert old not in held, "CS no longer holds the person under the old code"


async def _identities_at_cs(cs: SimulatorClient) -> set[str]:
    codes: set[str] = set()
    after: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 1000}
        if after is not None:
            params["after"] = after
        response = await cs.http.get("/cs/v1/identities", params=params)
        if response.status_code != httpx.codes.OK:
            raise AssertionError(response.text)
        page = response.json()
        codes |= {item["juminhyo_code"] for item in page["items"]}
        after = page["next"]
        if after is None:
            return codes
