"""Free 住民票コード (spec 4.3.1): the registry is kept supplied, and a crash reuses the key."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

from jumin_contracts.codes import ChangeKind
from jumin_testing.waiting import eventually

from ..builders import identity, person, wrap
from ..fake_cs import FakeCs
from .conftest import RegistrySide, StartAdapter
from .test_delivery import Db


async def test_codes_are_supplied_at_start_and_topped_up_when_seen_in_use(
    start_adapter: StartAdapter, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    adapter = await start_adapter(free_codes_low_water=10, free_codes_batch=12)

    first = await eventually(registry.commands, until=bool, what="the first batch")
    [batch] = [json.loads(c.body) for c in first]
    assert first[0].routing_key == "registry.free_codes"
    assert len(batch["codes"]) == 12
    key = await db.fetchval("SELECT idempotency_key FROM cs_adapter.code_supplies")
    assert UUID(batch["command_id"]) == key
    ready = await eventually(
        lambda: adapter.api.get("/readyz"),
        until=lambda r: r.json()["free_codes"]["estimate"] == 12,
        what="estimate 12",
    )
    assert ready.json()["free_codes"]["low"] is False

    for seq, code in enumerate(batch["codes"][:3], start=1):  # the registry assigns three
        born = identity(change_kind=ChangeKind.BIRTH, juminhyo_code=code)
        await registry.publish(wrap(born, person(), seq=1))
        del seq

    second = await eventually(registry.commands, until=bool, what="a top-up")
    assert [c.routing_key for c in second] == ["registry.free_codes"]
    assert set(json.loads(second[0].body)["codes"]).isdisjoint(batch["codes"])
    await eventually(
        lambda: adapter.api.get("/readyz"),
        until=lambda r: r.json()["free_codes"]["estimate"] == 21,
        what="estimate 9 + 12",
    )


async def test_a_request_stored_before_a_crash_is_asked_again_with_its_key(
    start_adapter: StartAdapter, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    key = uuid4()
    await db.execute(
        "INSERT INTO cs_adapter.code_supplies (idempotency_key, requested_count) VALUES ($1, 5)",
        key,
    )

    await start_adapter(free_codes_low_water=0)

    commands = await eventually(registry.commands, until=bool, what="the batch")
    assert json.loads(commands[0].body)["command_id"] == str(key)
    assert list(fake_cs.batches) == [str(key)]
