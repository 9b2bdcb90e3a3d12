"""Fault injection on `/cs/v1/*`: the settings every simulator shares (`jumin_simulator.faults`)."""

from __future__ import annotations

from jumin_simulator.faults import FaultSettings, rejects

__all__ = ["FaultSettings", "rejects"]
