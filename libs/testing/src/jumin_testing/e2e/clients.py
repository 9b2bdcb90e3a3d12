"""HTTP clients of the slice: the registry as staff, the simulators' test sides (CS, 戸籍附票システム),
the adapters' operator APIs; and the registry's outbox read as its schema owner (what it sent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from jumin_platform.devkeys import issue_token

from .environment import SliceEnvironment
from .processes import ROOT

Body = dict[str, Any]
TERMINAL = "e2e-counter-01"
CLERK = "clerk-e2e"
REVIEWER = "reviewer-e2e"
OPERATOR = "operator-e2e"


class UnexpectedAnswer(AssertionError):
    """A call the harness needs answered was refused."""


def _checked(response: httpx.Response, *expected: int) -> Any:
    if response.status_code not in expected:
        raise UnexpectedAnswer(
            f"{response.request.method} {response.request.url.path} → "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json() if response.content else None


def bearer(sub: str, *roles: str) -> dict[str, str]:
    """A development staff token (var/keys, as `jumin-registry token` makes it) as a header."""
    key = (ROOT / "var/keys/dev-private.pem").read_text()
    token = issue_token(
        private_key_pem=key, sub=sub, roles=list(roles), issuer="jumin-local", audience="jumin"
    )
    return {"Authorization": f"Bearer {token}"}


class RegistryClient:
    """The registry's API as a clerk (入力) and a reviewer (決裁) at one terminal."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)
        terminal = {"X-Jumin-Terminal": TERMINAL}
        self.clerk = {**bearer(CLERK, "clerk"), **terminal}
        self.reviewer = {**bearer(REVIEWER, "reviewer"), **terminal}

    async def aclose(self) -> None:
        await self.http.aclose()

    async def submit(self, body: Body) -> Body:
        """Enter a change (仮登録)."""
        return dict(_checked(await self.http.post("/changes", json=body, headers=self.clerk), 201))

    async def approve(self, change_id: str) -> Body:
        """Approve a change as a different member of staff (本登録)."""
        path = f"/changes/{change_id}/approve"
        return dict(_checked(await self.http.post(path, headers=self.reviewer), 200))

    async def enter(self, body: Body) -> Body:
        """Enter and approve a change; return the approved change (its `subjects`)."""
        return await self.approve((await self.submit(body))["change_id"])

    async def resident(self, atena_no: str, *, show_my_number: bool = False) -> Body:
        params = {"show_my_number": "true"} if show_my_number else {}
        response = await self.http.get(
            f"/residents/{atena_no}", params=params, headers=self.reviewer
        )
        return dict(_checked(response, 200))

    async def history(self, atena_no: str) -> list[Body]:
        response = await self.http.get(f"/residents/{atena_no}/history", headers=self.reviewer)
        return list(_checked(response, 200))

    async def changes(self, **filters: str) -> list[Body]:
        """The changes (異動の一覧) matching the filters (status, atena_no …), first page."""
        response = await self.http.get("/changes", params=filters, headers=self.reviewer)
        return list(_checked(response, 200)["items"])

    async def work_items(self, **filters: str) -> list[Body]:
        """Staff work items (作業: 戸籍照合通知, 本籍転属通知) matching the filters, first page."""
        response = await self.http.get("/work-items", params=filters, headers=self.clerk)
        return list(_checked(response, 200)["items"])


class SimulatorTestSide:
    """What both simulators' test sides (/sim/*) offer: what they received, and faults."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def received(self, *, type: str | None = None) -> list[Body]:
        """Every transmission the system stored (filtered here, so no personal data goes in a URL)."""
        params = {"type": type} if type else {}
        items = _checked(await self.http.get("/sim/received", params=params), 200)
        rows = items["items"] if isinstance(items, dict) else items
        return [dict(r) for r in rows]

    async def of_events(self, event_ids: set[str]) -> list[Body]:
        """The transmissions carrying these registry events, in the order they were received."""
        return [r for r in await self.received() if r["event_id"] in event_ids]

    async def of_person(self, juminhyo_code: str) -> list[Body]:
        """The transmissions about one person (by 住民票コード), in the order they were received."""
        return [r for r in await self.received() if r["body"].get("juminhyo_code") == juminhyo_code]

    async def counts(self) -> dict[str, Body]:
        """event id → {"accepted": n, "attempts": m}."""
        return dict(_checked(await self.http.get("/sim/received/counts"), 200))

    async def feed_traceparent(self, feed: str, cursor: int) -> str:
        """The traceparent the system's notification feed (`feed`: its path) gives `cursor`."""
        page = await self.http.get(feed, params={"after": cursor - 1, "limit": 1})
        (item,) = _checked(page, 200)["items"]
        assert item["cursor"] == cursor
        return str(item["traceparent"])

    async def set_faults(self, **faults: Any) -> None:
        _checked(await self.http.put("/sim/faults", json=faults), 200, 204)

    async def clear_faults(self) -> None:
        _checked(await self.http.delete("/sim/faults"), 200, 204)


class SimulatorClient(SimulatorTestSide):
    """The CS simulator's test side (/sim/*) and its CS-side reads."""

    async def move_in_notice(self, **notice: Any) -> None:
        _checked(await self.http.post("/sim/move-in-notices", json=notice), 200, 201, 202)


class KosekiSimulatorClient(SimulatorTestSide):
    """The 戸籍附票システム simulator's test side: 戸籍 to seed, 戸籍 events to file (INTERFACE.md)."""

    async def seed(self, koseki: Body) -> Body:
        """Hold a 戸籍 and its 附票 (`PUT /sim/koseki`), replacing one at the same 本籍・筆頭者."""
        return dict(_checked(await self.http.put("/sim/koseki", json=koseki), 200))

    async def koseki(self, honseki: str) -> list[Body]:
        """The 戸籍 held at one 本籍 (the 本籍 goes in the query: simulator only, no log of it)."""
        found = _checked(await self.http.get("/sim/koseki", params={"honseki": honseki}), 200)
        return [dict(k) for k in found["items"]]

    async def file_event(self, event: Body) -> list[Body]:
        """A 戸籍届 filed at the 本籍地: the 戸籍 changes and its 住民票記載事項通知 are queued."""
        queued = _checked(await self.http.post("/sim/koseki-events", json=event), 201)
        return [dict(n) for n in queued["items"]]

    async def fuhyo(self) -> list[Body]:
        """Every 附票 the system holds with a 住民票コード (the consistency check's read)."""
        items: list[Body] = []
        after: str | None = None
        while True:
            params = {"limit": "1000", **({"after": after} if after else {})}
            page = _checked(await self.http.get("/koseki/v1/fuhyo", params=params), 200)
            items += page["items"]
            after = page["next"]
            if after is None:
                return items


class OperatorClient:
    """An adapter's operator API (cs_adapter's, koseki_adapter's) as an administrator."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=30,
            headers={**bearer(OPERATOR, "admin"), "X-Jumin-Terminal": TERMINAL},
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def get(self, path: str) -> Any:
        return _checked(await self.http.get(f"/operator/{path}"), 200)

    async def deliveries(self, event_ids: set[str]) -> list[Body]:
        """The adapter's 提供記録 (delivery records) of these events."""
        rows: list[Body] = []
        for event_id in sorted(event_ids):
            rows += await self.get(f"deliveries?event_id={event_id}")
        return rows

    async def consistency_check(self) -> Any:
        """Run a 整合性確認 (spec 7.1.1.2): what CS holds against the registry's view."""
        return _checked(await self.http.post("/operator/consistency-checks"), 201)

    async def resend(self, event_id: UUID | str, reason: str = "e2e: CS fault cleared") -> Any:
        response = await self.http.post(f"/operator/resend/{event_id}", json={"reason": reason})
        return _checked(response, 200, 202)

    async def skip(self, event_id: UUID | str, reason: str) -> Any:
        """Skip a person's blocked event (their parked ones follow)."""
        response = await self.http.post(f"/operator/skip/{event_id}", json={"reason": reason})
        return _checked(response, 200)

    async def resend_deliveries(self, ids: list[int], reason: str) -> list[Body]:
        """再送信 of recorded transmissions: new ones, under new idempotency keys."""
        body = {"delivery_ids": ids, "reason": reason}
        return list(_checked(await self.http.post("/operator/deliveries/resend", json=body), 200))


@dataclass(frozen=True)
class Sent:
    """One message the registry put in its outbox (what it decided to send)."""

    event_id: str
    change_id: str
    recipient: str
    routing_key: str
    person_key: str
    seq: int
    created_at: datetime
    traceparent: str | None


class Outbox:
    """The registry's outbox, read as the schema owner."""

    def __init__(self, environment: SliceEnvironment) -> None:
        self._dsn = environment.registry_owner_dsn

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        connection = await asyncpg.connect(self._dsn)
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    async def sent(self, *change_ids: str, recipient: str = "cs") -> list[Sent]:
        """The recipient's messages of these changes, in outbox order."""
        rows = await self._fetch(
            "SELECT event_id, change_id, recipient, routing_key, person_key, seq, created_at,"
            "       traceparent"
            "  FROM registry.outbox WHERE recipient = $1 AND change_id = ANY($2::uuid[])"
            " ORDER BY id",
            recipient,
            list(change_ids),
        )
        return [
            Sent(
                event_id=str(r["event_id"]),
                change_id=str(r["change_id"]),
                recipient=r["recipient"],
                routing_key=r["routing_key"],
                person_key=r["person_key"],
                seq=r["seq"],
                created_at=r["created_at"],
                traceparent=r["traceparent"],
            )
            for r in rows
        ]

    async def free_codes(self) -> int:
        rows = await self._fetch(
            "SELECT count(*) AS n FROM registry.juminhyo_code_pool"
            " WHERE assigned_to_atena_no IS NULL"
        )
        return int(rows[0]["n"])

    async def command_outcomes(self) -> list[Any]:
        return await self._fetch(
            "SELECT command_id, routing_key, outcome, change_ids, detail"
            "  FROM registry.command_inbox ORDER BY received_at"
        )
