"""Fault injection on `/moj/v1/*`: the shared faults, and refusing people by card number.

The ministry's notices carry no 住民票コード, so "reject people" names 在留カード番号 /
特別永住者証明書番号 instead of the other simulators' 住民票コード.
"""

from __future__ import annotations

from jumin_simulator.faults import Faults
from pydantic import Field

from moj_simulator.domain.formats import CardNo


class MojFaults(Faults):
    """What goes wrong on the simulated ministry's calls."""

    reject_card_nos: frozenset[CardNo] = Field(
        default=frozenset(),
        description="people (在留カード番号・特別永住者証明書番号) refused with 422 E-REJECTED",
    )


def rejects(faults: MojFaults, card_no: str | None) -> bool:
    """Tell whether the ministry is set to refuse notices about this card number."""
    return card_no is not None and card_no in faults.reject_card_nos
