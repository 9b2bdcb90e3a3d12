"""Project a change and keep its 住民票関係情報 (`intermediate.household_info`), typed.

For the household info tests (`test_household_info`, `test_household_info_triggers`).
"""

from __future__ import annotations

from jumin_contracts.codes import ChangeKind
from jumin_contracts.messages import IntermediateHouseholdInfo
from registry.domain.model import HistoryRow

from .test_projection import (
    Opener,
    Pair,
    run,
)

ROUTING_KEY = "intermediate.household_info"


def sent_infos(
    kind: ChangeKind, pairs: list[Pair], told: list[HistoryRow] | None = None
) -> list[IntermediateHouseholdInfo]:
    """Project a whole change as approval does; return the household infos it sends, in order."""
    infos: list[IntermediateHouseholdInfo] = []
    for message in run(kind, pairs, Opener(), told=told):
        if message.routing_key == ROUTING_KEY:
            assert isinstance(message.payload, IntermediateHouseholdInfo)
            infos.append(message.payload)
    return infos


def household_infos(
    kind: ChangeKind, pairs: list[Pair]
) -> list[tuple[Pair, IntermediateHouseholdInfo]]:
    """Project row by row (so each message meets its row); return each row's household info."""
    sent = []
    for before, after in pairs:
        for message in run(kind, [(before, after)], Opener()):
            if message.routing_key == ROUTING_KEY:
                assert isinstance(message.payload, IntermediateHouseholdInfo)
                sent.append(((before, after), message.payload))
    return sent
