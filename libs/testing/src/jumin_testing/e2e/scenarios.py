"""Steps at the counter that several tests (and the demo) share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..waiting import eventually
from .clients import Body, Outbox, RegistryClient, SimulatorClient
from .people import Family, Person, birth, family

MOVED_IN_DAYS_AGO = 6


async def moved_in(registry: RegistryClient, household: Family) -> Body:
    """国内転入 of the household, 異動日 six days ago, 届出 two days ago; approved."""
    today = date.today()
    return await registry.enter(
        household.move_in(
            occurred_on=today - timedelta(days=MOVED_IN_DAYS_AGO),
            notified_on=today - timedelta(days=2),
        )
    )


@dataclass(frozen=True)
class Newborn:
    child: Person
    atena_no: str
    change_id: str
    at_cs: list[Body]  # every transmission about the child, in the order CS received them


async def birth_and_my_number(
    registry: RegistryClient, cs: SimulatorClient, outbox: Outbox, seen: set[str]
) -> Newborn:
    """A family moves in and a child is born; wait until CS holds the child's 個人番号."""
    household = family(2)
    seen.update(household.secrets)
    parents = await moved_in(registry, household)
    head = await registry.resident(parents["subjects"][0])
    await eventually(
        outbox.free_codes,
        lambda n: n > 0,
        what="free 住民票コード from CS in the registry's pool",
        every=0.2,
    )
    born_on = date.today() - timedelta(days=3)
    child, body = birth(household.head, head["record"]["household_no"], born_on)
    seen.update(child.secrets)

    born = await registry.enter(body)

    (atena_no,) = set(born["subjects"]) - set(parents["subjects"])
    code = (await registry.resident(atena_no))["record"]["juminhyo_code"]
    assert code, "the newborn got a 住民票コード from the pool CS filled"
    seen.add(code)
    at_cs = await eventually(
        lambda: cs.of_person(code),
        lambda rows: any(r["type"] == "identity" and r["body"]["my_number"] for r in rows),
        what="CS to receive the newborn's 本人確認情報 with the 個人番号",
        within=45,
        every=0.2,
    )
    seen.update(r["body"]["my_number"] for r in at_cs if r["body"].get("my_number"))
    return Newborn(child, atena_no, born["change_id"], at_cs)
