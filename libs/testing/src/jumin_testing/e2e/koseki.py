"""People whose 本籍 is in the ward: their 戸籍, seeded in the 戸籍附票システム simulator before they
move in (the 附票 system answers a notice about a 戸籍 it does not hold with 照合不一致).

Each 戸籍 gets its own 本籍 (a random 番地), so two made-up people who happen to share a name never
share a 戸籍.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from .clients import Body, KosekiSimulatorClient
from .people import PREVIOUS_ADDRESS, TOWNS, WARD, Person, cs_date, person

#: 地方公共団体コード of the ward whose 戸籍 the simulator keeps (新宿区, its default)
WARD_CODE = "131041"
#: where the seeded people lived before they moved into the ward, and since when
LIVED_BEFORE_SINCE = date(2001, 4, 1)
#: a 本籍地 outside the ward (大阪市北区) and its 地方公共団体コード
ELSEWHERE = "大阪府大阪市北区中之島一丁目"
ELSEWHERE_CODE = "271276"

_rng = random.SystemRandom()


def honseki_in_ward() -> str:
    """A 本籍 in 新宿区 unlikely to be anyone else's."""
    return f"{WARD}{_rng.choice(TOWNS)}{_rng.randint(30, 999)}番地"


def honseki_elsewhere() -> str:
    """A 本籍 outside the ward (its 附票 is another municipality's: the notice goes via CS)."""
    return f"{ELSEWHERE}{_rng.randint(30, 999)}番地"


def of_koseki(head: Person, *others: Person, honseki: str | None = None) -> tuple[Person, ...]:
    """The people as members of one 戸籍 whose 筆頭者 is `head` (in the ward unless `honseki`)."""
    where = honseki or honseki_in_ward()
    return tuple(replace(p, honseki=where, hittosha=head.full_name) for p in (head, *others))


def in_ward() -> Person:
    """A made-up adult who heads their own 戸籍 in the ward."""
    (someone,) = of_koseki(person(relationship="世帯主"))
    return someone


def fuhyo_line(address: str, since: date) -> Body:
    return {"address": address, "address_since": cs_date(since), "moved_abroad": False}


def member(someone: Person, lines: Sequence[Body]) -> Body:
    """The person as a member of a 戸籍 the simulator holds, with the 附票's 住所 lines."""
    seeded: Body = {
        "family_name": someone.family_name,
        "given_name": someone.given_name,
        "birth_date": cs_date(someone.birth_date),
        "sex": "1" if someone.sex == "male" else "2",
        "addresses": list(lines),
    }
    if someone.juminhyo_code:
        seeded["juminhyo_code"] = someone.juminhyo_code
    return seeded


def koseki_body(members: Sequence[Person]) -> Body:
    """The 戸籍 of these people (one 本籍 and 筆頭者), each last living at PREVIOUS_ADDRESS."""
    (honseki,) = {m.honseki for m in members}
    (hittosha,) = {m.hittosha for m in members}
    line = fuhyo_line(PREVIOUS_ADDRESS, LIVED_BEFORE_SINCE)
    return {
        "honseki": honseki,
        "hittosha": hittosha,
        "members": [member(m, [line]) for m in members],
    }


async def seed(koseki: KosekiSimulatorClient, *members: Person) -> Body:
    """Have the 戸籍附票システム hold these people's 戸籍 (one 本籍・筆頭者) and 附票."""
    return await koseki.seed(koseki_body(members))


async def seed_each(koseki: KosekiSimulatorClient, people: Sequence[Person]) -> None:
    """Seed one 戸籍 per person (each their own 筆頭者)."""
    for someone in people:
        await seed(koseki, someone)
