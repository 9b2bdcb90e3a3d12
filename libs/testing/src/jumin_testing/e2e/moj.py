"""The 法務省 link in the slice: the 出入国在留管理庁 simulator's test side, moj_notify's operator API,
and waits on both (simulators/moj_simulator/INTERFACE.md; services/moj_notify/README.md).

Filters on personal data (在留カード番号) are applied here, never put in a URL: query strings
end up in access logs and spans.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ..waiting import eventually
from .clients import Body, OperatorClient, Outbox, RegistryClient, SimulatorTestSide, _checked
from .foreigners import Foreigner, move_in_30_46

MUNICIPAL_NOTICE = "municipal_notice"
MUNICIPAL_TRANSMISSION = "municipal_transmission"
MOJ_SYSTEM = "system:moj"
#: Items a 市町村通知 or 市町村伝達 never carries (INTERFACE.md assumption 5)
NEVER_SENT = ("juminhyo_code", "my_number")


class MojSimulatorClient(SimulatorTestSide):
    """The 出入国在留管理庁 simulator's test side (/sim/*)."""

    async def of_card(self, card_no: str) -> list[Body]:
        """The notices about one 在留カード番号 (as sent), in receipt order."""
        return [r for r in await self.received() if r["body"].get("residence_card_no") == card_no]

    async def inject_result(self, receipt_no: str, result: str = "error", **items: Any) -> Body:
        """Queue a 処理結果 of a received notice now (`error_code`, `error_items`, `message`)."""
        body = {"receipt_no": receipt_no, "result": result, **items}
        return dict(_checked(await self.http.post("/sim/results", json=body), 201))

    async def director_notice(self, notice: Body) -> Body:
        """Have the ministry change its record and queue a 長官通知 (住基法30条の50)."""
        return dict(_checked(await self.http.post("/sim/director-notices", json=notice), 201))


class MojOperatorClient(OperatorClient):
    """moj_notify's operator API as an administrator: schedule, worklist, 長官通知."""

    async def scheduled(self, **filters: str) -> list[Body]:
        """送信予定 (newest first), e.g. `person_key=…`, `status=pending`."""
        response = await self.http.get("/operator/scheduled", params=filters)
        return list(_checked(response, 200))

    async def worklist(self, status: str = "open") -> list[Body]:
        """Error results to act on (open: still blocking their person)."""
        response = await self.http.get("/operator/worklist", params={"status": status})
        return list(_checked(response, 200))

    async def entry(self, entry_id: int) -> Body:
        """One worklist entry with the notice's items, flagged and corrected."""
        return dict(_checked(await self.http.get(f"/operator/worklist/{entry_id}"), 200))

    async def correct_and_resend(
        self, entry_id: int, corrections: Body, reason: str = "e2e: 窓口で在留カードを確認"
    ) -> Body:
        """訂正して再送信 under a new key; the entry awaits the resend's result."""
        body = {"corrections": corrections, "reason": reason}
        path = f"/operator/worklist/{entry_id}/resend"
        return dict(_checked(await self.http.post(path, json=body), 200))

    async def director_notices(self, *, not_imported: bool = False) -> list[Body]:
        """長官通知 taken in (or only those not yet imported, whatever their date)."""
        path = "/operator/director-notices" + ("/not-imported" if not_imported else "")
        return list(_checked(await self.http.get(path), 200))


async def moj_person_key(outbox: Outbox, change_id: str) -> str:
    """The person key the registry gave the change's 市町村通知 (moj_notify's schedule uses it)."""
    (sent,) = await outbox.sent(change_id, recipient="moj")
    return sent.person_key


async def notices_of(
    moj: MojSimulatorClient, event_ids: Iterable[str], *, count: int, within: float = 30
) -> list[Body]:
    """Wait until the ministry received `count` transmissions of these events; return them."""
    wanted = set(event_ids)
    return await eventually(
        lambda: moj.of_events(wanted),
        lambda rows: len(rows) >= count,
        what=f"{count} transmission(s) at the ministry",
        within=within,
        every=0.2,
    )


async def sent_to_moj(outbox: Outbox, change_id: str) -> list[str]:
    """The event ids of the change's messages to the 法務省 (its outbox rows)."""
    return [s.event_id for s in await outbox.sent(change_id, recipient="moj")]


async def foreigners_moved_in(
    registry: RegistryClient, people: list[Foreigner], seen: set[str], *, on: date
) -> Body:
    """Enter and approve a 法第30条の46転入 of these people as one new household."""
    body = move_in_30_46(people, on=on)
    seen.update([body["address"], *(s for p in people for s in p.secrets)])
    return await registry.enter(body)


def carries_no_numbers(transmission: Body, someone: Foreigner) -> bool:
    """The transmission has no 住民票コード nor 個人番号: neither as an item nor the person's."""
    body = transmission["body"]
    values = {str(v) for v in body.values()}
    named = any(item in body for item in NEVER_SENT)
    return not named and not values & {someone.juminhyo_code, someone.my_number}
