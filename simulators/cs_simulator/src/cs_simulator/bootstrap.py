"""Composition root: build the simulator from settings."""

from __future__ import annotations

from cs_simulator.config import Settings
from cs_simulator.service_layer.simulator import Simulator


def build_simulator(settings: Settings) -> Simulator:
    """Create the in-memory simulator the app serves."""
    return Simulator(
        municipality_code=settings.municipality_code,
        my_number_delay=settings.my_number_delay,
        timeout_hang=settings.timeout_hang,
        seed=settings.seed,
    )
