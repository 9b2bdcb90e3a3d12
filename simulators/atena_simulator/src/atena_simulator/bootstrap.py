"""Composition root: build the simulator from settings."""

from __future__ import annotations

from datetime import timedelta

from jumin_simulator.journal import SqliteJournal

from atena_simulator.config import Settings
from atena_simulator.service_layer.simulator import Simulator


def build_simulator(settings: Settings) -> Simulator:
    """Create the simulator the app serves (restored from its state file, when it has one)."""
    return Simulator(
        journal=None if settings.state_file is None else SqliteJournal(settings.state_file),
        municipality_code=settings.municipality_code,
        timeout_hang=settings.timeout_hang,
        fugo_delay=timedelta(seconds=settings.fugo_delay),
        seed=settings.seed,
    )
