"""The running simulator: its state, fault settings and fault draws."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from jumin_simulator.faults import FaultSettings
from jumin_simulator.journal import Journal

from koseki_simulator.domain.state import FuhyoState


@dataclass
class Simulator:
    """Hold what one simulator process needs; `reset` forgets everything (tests).

    With a journal the state is restored from it at start and every change is appended to it."""

    municipality_code: str
    timeout_hang: float
    seed: int | None
    collation_notice_on_mismatch: bool = True
    journal: Journal | None = None
    state: FuhyoState = field(default_factory=FuhyoState)
    faults: FaultSettings = field(default_factory=FaultSettings)
    fault_rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._seed_sources()
        if self.journal is not None:
            self.state = FuhyoState.restore(self.journal)

    def reset(self) -> None:
        """Start again from nothing (the seeded fault draws restart too)."""
        self.state = FuhyoState.fresh(self.journal)
        self.faults = FaultSettings()
        self._seed_sources()

    def _seed_sources(self) -> None:
        self.fault_rng = random.Random(None if self.seed is None else f"faults-{self.seed}")
