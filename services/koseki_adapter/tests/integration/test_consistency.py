"""整合性確認 of the 戸籍附票: each person's latest accepted notice against the simulator's 附票.

The notices go the real way (the registry's events → the adapter → the simulator, recorded
`sent`); then the 附票 is changed behind the adapter's back, as only the 戸籍 side could.
"""

from __future__ import annotations

from typing import Any

from jumin_contracts.codes import Sex
from jumin_testing.waiting import eventually

from ..builders import fuhyo_notice, juminhyo_code, koseki, member, person, wrap
from ..simulated import Simulated
from .conftest import Db, RegistrySide, Running, StartAdapter

HANAKO, JIRO, SABURO = juminhyo_code(2), juminhyo_code(3), juminhyo_code(4)
SENT_ADDRESS = "東京都新宿区新宿三丁目1番1号"
SENT_LINE = {"address": SENT_ADDRESS, "address_since": "20261120"}


def jiro(**changes: Any) -> dict[str, Any]:
    return member(JIRO, "次郎", birth_date="19850505", sex="1", **changes)


async def send_both(registry: RegistrySide, db: Db) -> tuple[str, str]:
    """The registry tells of 花子's and 次郎's 転居; both are accepted and recorded `sent`."""
    hanako, jiro_key = person(), person()
    await registry.publish(wrap(fuhyo_notice(), hanako, 1))
    second = fuhyo_notice(
        given_name="次郎", birth_date="1985-05-05", sex=Sex.MALE, juminhyo_code=JIRO
    )
    await registry.publish(wrap(second, jiro_key, 1))
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM koseki_adapter.deliveries WHERE status = 'sent'"),
        until=lambda n: n == 2,
        what="two accepted notices",
    )
    return hanako, jiro_key


async def test_the_check_names_people_and_items_that_differ_and_changes_nothing(
    adapter: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.seed(koseki(member(HANAKO, "花子"), jiro()))
    hanako, jiro_key = await send_both(registry, db)
    # The 附票 loses 花子's new 住所 line, no longer lists 次郎, and holds 三郎 the ward never
    # notified.
    await system.seed(koseki(member(HANAKO, "花子"), member(SABURO, "三郎", sex="1")))
    before = await system.counts()

    answer = await adapter.api.post("/operator/consistency-checks", headers=adapter.admin)

    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert (result["checked"], result["fuhyo_records"]) == (2, 2)
    assert result["missing_at_fuhyo"] == [jiro_key]
    assert result["unknown_at_fuhyo"] == 1
    assert result["mismatched"] == [{"person_key": hanako, "fields": ["address", "address_since"]}]
    assert result["operator"] == "ops-tanaka"
    for value in (SENT_ADDRESS, "西新宿", HANAKO, JIRO, SABURO, "三郎"):
        assert value not in answer.text
    assert await system.counts() == before  # nothing was sent to fix anything
    listed = await adapter.api.get("/operator/consistency-checks", headers=adapter.token("auditor"))
    assert listed.status_code == 200, listed.text
    assert listed.json()[0]["id"] == result["id"]
    assert listed.json()[0]["mismatched"] == result["mismatched"]


async def test_the_same_fuhyo_reports_nothing(
    adapter: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.seed(koseki(member(HANAKO, "花子"), jiro()))
    await send_both(registry, db)

    answer = await adapter.api.post("/operator/consistency-checks", headers=adapter.admin)

    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert (result["checked"], result["missing_at_fuhyo"], result["mismatched"]) == (2, [], [])
    assert result["unknown_at_fuhyo"] == 0


async def test_only_an_admin_runs_a_check(adapter: Running) -> None:
    answer = await adapter.api.post(
        "/operator/consistency-checks", headers=adapter.token("auditor")
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_checks_can_run_on_a_schedule(start_adapter: StartAdapter, db: Db) -> None:
    await start_adapter(consistency_check_interval=0.2)

    operator = await eventually(
        lambda: db.fetchval("SELECT operator FROM koseki_adapter.consistency_checks LIMIT 1"),
        until=lambda found: found is not None,
        what="a scheduled check",
    )
    assert operator == "scheduler"
