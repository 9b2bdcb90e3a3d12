"""Give new people and households real numbers only once a change is approved (spec 1.1.13)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Protocol

from registry.domain.rules import PlannedRow

ATENA_PREFIX = "#A"
HOUSEHOLD_PREFIX = "#H"


class Placeholders:
    """Hand out stand-in numbers while planning, so a dry run consumes no sequence values."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def atena_no(self) -> str:
        """Return a stand-in 宛名番号."""
        return f"{ATENA_PREFIX}{next(self._counter)}"

    def household_no(self) -> str:
        """Return a stand-in 世帯番号."""
        return f"{HOUSEHOLD_PREFIX}{next(self._counter)}"


class NumberSource(Protocol):
    """Allocate real 宛名番号 and 世帯番号."""

    async def new_atena_no(self) -> str: ...

    async def new_household_no(self) -> str: ...


async def assign_numbers(planned: Sequence[PlannedRow], source: NumberSource) -> list[PlannedRow]:
    """Replace stand-in numbers with allocated ones, the same stand-in getting the same number."""
    real: dict[str, str] = {}

    async def resolve(value: str) -> str:
        if value not in real:
            if value.startswith(ATENA_PREFIX):
                real[value] = await source.new_atena_no()
            elif value.startswith(HOUSEHOLD_PREFIX):
                real[value] = await source.new_household_no()
            else:
                return value
        return real[value]

    resolved = []
    for row in planned:
        person = row.person.evolve(household_no=await resolve(row.person.household_no))
        resolved.append(
            dataclasses.replace(row, atena_no=await resolve(row.atena_no), person=person)
        )
    return resolved
