"""Fault injection on `/intermediate/v1/*`: the shared faults, and refusing people by 符号.

The 中間サーバー knows a person only by the 符号, so "reject people" names 符号 instead of the
other simulators' 住民票コード.
"""

from __future__ import annotations

from jumin_simulator.faults import Faults
from jumin_simulator.formats import Fugo
from pydantic import Field


class IntermediateFaults(Faults):
    """What goes wrong on the simulated 中間サーバー's calls."""

    reject_fugos: frozenset[Fugo] = Field(
        default=frozenset(), description="people (符号) whose 副本 operations are refused (422)"
    )


def rejects(faults: IntermediateFaults, fugo: str) -> bool:
    """Tell whether the system is set to refuse operations on this 符号."""
    return fugo in faults.reject_fugos
