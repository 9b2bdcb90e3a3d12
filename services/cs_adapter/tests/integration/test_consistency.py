"""整合性確認 (spec 7.1.1.2): what CS holds against the registry's latest, people and fields only."""

from __future__ import annotations

import dataclasses

from jumin_testing.waiting import eventually

from ..builders import identity, person, wrap
from ..fake_cs import FakeCs, juminhyo_code, my_number
from .conftest import RegistrySide, Running, StartAdapter
from .test_delivery import Db


async def test_the_check_lists_missing_unknown_and_mismatched_records(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    same, moved, lost, renumbered = person(), person(), person(), person()
    people = {same: 1, moved: 2, lost: 3, renumbered: 4}
    for key, n in people.items():
        await registry.publish(
            wrap(identity(juminhyo_code=juminhyo_code(n), my_number=my_number(n)), key, 1)
        )
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM cs_adapter.identity_snapshot"),
        until=lambda n: n == 4,
        what="four snapshots",
    )
    at_cs = fake_cs.identities
    at_cs[juminhyo_code(2)].body["address"] = "東京都新宿区戸山一丁目"
    at_cs[juminhyo_code(4)].body["my_number"] = my_number(99)
    del at_cs[juminhyo_code(3)]
    at_cs[juminhyo_code(5)] = dataclasses.replace(at_cs[juminhyo_code(1)], receipt_no="CS-X")

    answer = await adapter.api.post("/operator/consistency-checks", headers=adapter.admin)

    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert (result["checked"], result["cs_records"]) == (4, 4)
    assert result["missing_at_cs"] == [lost]
    assert result["unknown_at_cs"] == ["CS-X"]
    assert sorted(result["mismatched"], key=lambda m: m["fields"]) == [
        {"person_key": moved, "fields": ["address"]},
        {"person_key": renumbered, "fields": ["my_number"]},
    ]
    assert "戸山" not in answer.text
    listed = await adapter.api.get("/operator/consistency-checks", headers=adapter.token("auditor"))
    assert listed.json()[0]["id"] == result["id"]


async def test_checks_can_run_on_a_schedule(start_adapter: StartAdapter, db: Db) -> None:
    await start_adapter(consistency_check_interval=0.2)

    operator = await eventually(
        lambda: db.fetchval("SELECT operator FROM cs_adapter.consistency_checks LIMIT 1"),
        until=lambda found: found is not None,
        what="a scheduled check",
    )
    assert operator == "scheduler"
