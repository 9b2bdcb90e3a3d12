"""A notice whose 異動日 is ahead waits for that day in moj_notify's durable schedule.

A 国外転出 entered with a 転出予定日 two days ahead publishes its `moj.municipal_notice` at once;
moj_notify sends nothing yet and shows it in its 送信予定 (waiting for the date). moj_notify is
then restarted with its clock two days on (JUMIN_MOJ_NOTIFY_CLOCK_OFFSET: the clock is injected,
nothing sleeps): the notice survived the restart and goes, exactly once. The adapter is put back
on the real clock afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from jumin_testing.e2e.clients import Outbox, RegistryClient
from jumin_testing.e2e.foreigners import foreigner, move_out_abroad
from jumin_testing.e2e.moj import (
    MUNICIPAL_NOTICE,
    MojOperatorClient,
    MojSimulatorClient,
    foreigners_moved_in,
    moj_person_key,
    notices_of,
    sent_to_moj,
)
from jumin_testing.e2e.slice import Slice
from jumin_testing.waiting import eventually

AHEAD = timedelta(days=2)


async def restart_moj_notify(ward: Slice, clock_offset: timedelta) -> None:
    """Stop moj_notify (SIGTERM) and start it again with its clock moved by `clock_offset`."""
    service = ward.moj_notify
    assert service is not None, "moj_notify is installed"
    service.stop()
    service.env = ward.environment.moj_notify(clock_offset)
    await service.start_ready(60)


@pytest.fixture
async def real_clock_after(ward: Slice) -> AsyncIterator[None]:
    """Whatever the test did to moj_notify's clock, the next test finds it on the real one."""
    yield
    await restart_moj_notify(ward, timedelta(0))


async def test_a_move_abroad_two_days_ahead_is_sent_once_when_its_day_comes(
    ward: Slice,
    registry: RegistryClient,
    moj: MojSimulatorClient,
    moj_operator: MojOperatorClient,
    outbox: Outbox,
    seen: set[str],
    real_clock_after: None,
) -> None:
    leaver = foreigner()
    today = date.today()
    moved_in = await foreigners_moved_in(registry, [leaver], seen, on=today - timedelta(days=30))
    await notices_of(moj, await sent_to_moj(outbox, moved_in["change_id"]), count=2)
    person_key = await moj_person_key(outbox, moved_in["change_id"])

    leaving = await registry.enter(
        move_out_abroad(moved_in["subjects"], on=today + AHEAD, notified_on=today)
    )

    (event_id,) = await sent_to_moj(outbox, leaving["change_id"])
    scheduled = await eventually(
        lambda: moj_operator.scheduled(person_key=person_key),
        lambda rows: any(r["event_id"] == event_id for r in rows),
        what="the 国外転出's notice on moj_notify's schedule",
        every=0.2,
    )
    (waiting,) = [r for r in scheduled if r["event_id"] == event_id]
    assert (waiting["status"], waiting["waiting_for"]) == ("pending", "date")
    assert waiting["not_before"] == (today + AHEAD).isoformat()
    assert await moj.of_events({event_id}) == [], "nothing sent before the 転出予定日"

    await restart_moj_notify(ward, AHEAD)

    (sent,) = await notices_of(moj, {event_id}, count=1)
    assert sent["type"] == MUNICIPAL_NOTICE
    assert sent["body"]["change_reason"] == "move_out_abroad"
    assert sent["body"]["change_date"] == (today + AHEAD).strftime("%Y%m%d")
    assert (await moj.counts())[event_id]["accepted"] == 1
    done = await moj_operator.scheduled(person_key=person_key)
    assert [r["status"] for r in done if r["event_id"] == event_id] == ["sent"]
