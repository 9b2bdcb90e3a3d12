"""The adapter's health, roles, and that its spans carry no personal data."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from jumin_testing.waiting import eventually

from ..builders import identity, person, wrap
from .conftest import RegistrySide, Running
from .test_delivery import Db, deliveries


async def test_readiness_reports_database_broker_cs_mode_and_cursor(adapter: Running) -> None:
    ready = await eventually(
        lambda: adapter.api.get("/readyz"),
        until=lambda r: r.json().get("cs") == "reachable",
        what="CS polled",
    )
    assert ready.status_code == 200
    body = ready.json()
    assert (body["database"], body["broker"], body["manual_mode"]) == ("ok", "ok", False)
    assert body["notification_cursor"] == 0
    assert (await adapter.api.get("/healthz")).json() == {"status": "ok"}


async def test_clerks_may_not_read_the_delivery_record(adapter: Running) -> None:
    clerk = await adapter.api.get("/operator/deliveries", headers=adapter.token("clerk"))
    auditor = await adapter.api.get("/operator/deliveries", headers=adapter.token("auditor"))
    switch = await adapter.api.put(
        "/operator/manual-mode",
        json={"manual": True, "reason": "x"},
        headers=adapter.token("auditor"),
    )
    assert (clerk.status_code, auditor.status_code, switch.status_code) == (403, 200, 403)


async def test_spans_carry_ids_but_no_personal_data(
    adapter: Running, registry: RegistrySide, db: Db, trace_file: Path
) -> None:
    alice = person()
    message = identity()
    envelope = wrap(message, alice, 1)
    await registry.publish(envelope)
    await eventually(lambda: deliveries(db, alice), until=bool, what="delivered")

    spans = await asyncio.to_thread(trace_file.read_text, encoding="utf-8")
    assert str(envelope.event_id) in spans
    for value in (
        message.family_name,
        message.given_name,
        message.address,
        message.juminhyo_code,
        message.my_number,
        "19900506",
        "1990-05-06",
    ):
        assert value is not None
        assert value not in spans, f"personal data in spans: {value[:2]}…"
    names = {json.loads(line)["name"] for line in spans.splitlines()}
    assert "POST /cs/v1/messages" in names
