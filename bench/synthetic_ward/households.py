"""Household composition of the synthetic ward: who lives together, when they formed and moved."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from jumin_contracts.codes import HEAD, ChangeKind, Sex

from bench.synthetic_ward.dates import REFERENCE_DAY, YEAR
from bench.synthetic_ward.names import NATIONALITIES, Nationality
from bench.synthetic_ward.places import Place
from bench.synthetic_ward.state import Ward

MOVED_SHARE = 0.25  # households with at least one 転居
MOVED_AGAIN_SHARE = 0.30  # of those, households with a second 転居
MOVED_OUT_SHARE = 0.02  # households that have moved out (転出): current status 'removed'


@dataclass(frozen=True)
class Member:
    """Hold one planned member of a household before its rows are written."""

    relationship: str
    sex: Sex
    birth: date


_SINGLE_AGES = ((18, 24, 15), (25, 34, 30), (35, 44, 18), (45, 54, 13), (55, 64, 9), (65, 74, 8),
                (75, 95, 7))  # fmt: skip
_COUPLE_AGES = ((24, 34, 20), (35, 49, 30), (50, 64, 25), (65, 90, 25))
_PARENT_AGES = ((27, 39, 35), (40, 49, 40), (50, 60, 25))


def _age(rng: random.Random, brackets: Sequence[tuple[int, int, int]]) -> int:
    """Draw an age in years from (low, high, weight) brackets."""
    low, high, _ = rng.choices(brackets, weights=[w for _, _, w in brackets])[0]
    return rng.randint(low, high)


def _born(rng: random.Random, age: int) -> date:
    """Return a birth date for someone `age` years old on REFERENCE_DAY."""
    return REFERENCE_DAY - timedelta(days=int((age + rng.random()) * YEAR))


def compose(rng: random.Random, size: int) -> list[Member]:
    """Plan who lives in a household of `size`: 世帯主 first, then 妻/夫, 子, 父/母."""
    if size == 1:
        return [Member(HEAD, _sex(rng, 0.55), _born(rng, _age(rng, _SINGLE_AGES)))]
    if size == 2 and rng.random() < 0.35:
        return _parent_and_child(rng) if rng.random() < 0.6 else _adult_and_parent(rng)
    head_sex = _sex(rng, 0.85)
    head_age = _age(rng, _COUPLE_AGES if size == 2 else _PARENT_AGES)
    spouse_age = max(18, head_age + rng.randint(-6, 3))
    members = [
        Member(HEAD, head_sex, _born(rng, head_age)),
        Member("妻" if head_sex is Sex.MALE else "夫", _other(head_sex), _born(rng, spouse_age)),
    ]
    children = size - 2
    if children and rng.random() < 0.12:
        members.append(Member("母", Sex.FEMALE, _born(rng, head_age + rng.randint(25, 35))))
        children -= 1
    members += [_child(rng, head_age) for _ in range(children)]
    return members


def _parent_and_child(rng: random.Random) -> list[Member]:
    """Plan a single parent (mostly a mother) with one child."""
    head_age = _age(rng, _PARENT_AGES)
    return [Member(HEAD, _sex(rng, 0.2), _born(rng, head_age)), _child(rng, head_age)]


def _adult_and_parent(rng: random.Random) -> list[Member]:
    """Plan an adult living with a father or mother."""
    head_age = rng.randint(30, 65)
    parent_sex = _sex(rng, 0.3)
    parent = Member(
        "父" if parent_sex is Sex.MALE else "母",
        parent_sex,
        _born(rng, head_age + rng.randint(22, 38)),
    )
    return [Member(HEAD, _sex(rng, 0.5), _born(rng, head_age)), parent]


def _child(rng: random.Random, parent_age: int) -> Member:
    """Plan a child (子) of a parent aged `parent_age`."""
    return Member(
        "子", _sex(rng, 0.51), _born(rng, rng.randint(0, max(0, min(parent_age - 22, 28))))
    )


def _sex(rng: random.Random, male_share: float) -> Sex:
    """Draw a sex."""
    return Sex.MALE if rng.random() < male_share else Sex.FEMALE


def _other(sex: Sex) -> Sex:
    """Return the other sex (the spouse of the head)."""
    return Sex.FEMALE if sex is Sex.MALE else Sex.MALE


def _plus_years(day: date, years: int) -> date:
    """Add whole years (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Timeline:
    """Hold a household's dates: formation, 転居 (with the new places) and 転出 if any."""

    formed_on: date
    places: list[tuple[date, Place]]  # (since, place); the first is the formation
    moved_out_on: date | None

    def place_on(self, day: date) -> Place:
        """Return the household's address on a day."""
        return [place for since, place in self.places if since <= day][-1]


def draw_nationality(rng: random.Random) -> Nationality:
    """Draw a 国籍・地域 by the shares of 新宿区's foreign residents."""
    return rng.choices(NATIONALITIES, weights=[n.weight for n in NATIONALITIES])[0]


def draw_timeline(rng: random.Random, ward: Ward, members: list[Member]) -> Timeline:
    """Draw when the household formed, moved within the ward and maybe moved out."""
    adults = [m.birth for m in members if m.relationship != "子"]
    earliest = _plus_years(max(adults), 18)
    latest = REFERENCE_DAY - timedelta(days=60)
    back = min(rng.expovariate(1 / 8) * YEAR, max(0, (latest - earliest).days))
    formed_on = latest - timedelta(days=int(back))
    places = [(formed_on, rng.choice(ward.streets).place(rng))]
    moves = 0 if rng.random() >= MOVED_SHARE else 1 + (rng.random() < MOVED_AGAIN_SHARE)
    for move_on in sorted(_days_between(rng, formed_on, latest, moves)):
        places.append((move_on, rng.choice(ward.streets).place(rng)))
    last_event = max(places[-1][0], max(m.birth for m in members))
    moved_out_on = None
    if rng.random() < MOVED_OUT_SHARE and last_event < latest:
        moved_out_on = _days_between(rng, last_event, latest, 1)[0]
    return Timeline(formed_on, places, moved_out_on)


def _days_between(rng: random.Random, after: date, until: date, count: int) -> list[date]:
    """Draw `count` distinct days in (after, until]; fewer if there is no room."""
    span = (until - after).days
    if span < 1:
        return []
    return [after + timedelta(days=d) for d in rng.sample(range(1, span + 1), min(count, span))]


def draw_arrival_kind(rng: random.Random, nationality: Nationality | None) -> ChangeKind:
    """Draw how the household came to the ward (転入, 国外転入, 法第30条の46転入)."""
    if nationality is not None:
        return (
            ChangeKind.FOREIGN_MOVE_IN_30_46 if rng.random() < 0.65 else ChangeKind.DOMESTIC_MOVE_IN
        )
    return ChangeKind.MOVE_IN_FROM_ABROAD if rng.random() < 0.08 else ChangeKind.DOMESTIC_MOVE_IN
