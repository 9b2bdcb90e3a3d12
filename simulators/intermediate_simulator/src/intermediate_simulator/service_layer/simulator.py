"""The running simulator: its state, settings that shape answers, fault settings and draws."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from jumin_simulator.clock import now_jst
from jumin_simulator.journal import Journal

from intermediate_simulator.domain.faults import IntermediateFaults
from intermediate_simulator.domain.state import IntermediateState


@dataclass
class Simulator:
    """Hold what one simulator process needs; `reset` forgets everything (tests).

    With a journal the state is restored from it at start and every change is appended to it.
    `clock` is the system's time."""

    municipality_code: str
    timeout_hang: float
    seed: int | None
    journal: Journal | None = None
    clock: Callable[[], datetime] = now_jst
    state: IntermediateState = field(default_factory=IntermediateState)
    faults: IntermediateFaults = field(default_factory=IntermediateFaults)
    fault_rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._seed_sources()
        if self.journal is not None:
            self.state = IntermediateState.restore(self.journal)

    def reset(self) -> None:
        """Start again from nothing (the seeded fault draws restart too)."""
        self.state = IntermediateState.fresh(self.journal)
        self.faults = IntermediateFaults()
        self._seed_sources()

    def _seed_sources(self) -> None:
        self.fault_rng = random.Random(None if self.seed is None else f"faults-{self.seed}")
