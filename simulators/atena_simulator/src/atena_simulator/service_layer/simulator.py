"""The running simulator: its state, settings that shape answers, fault settings and draws."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from jumin_simulator.clock import now_jst
from jumin_simulator.faults import FaultSettings
from jumin_simulator.journal import Journal

from atena_simulator.domain.state import AtenaState


@dataclass
class Simulator:
    """Hold what one simulator process needs; `reset` forgets everything (tests).

    With a journal the state is restored from it at start and every change is appended to it.
    `clock` is the system's time (tests move it to bring a 符号 back); `number_rng` makes the
    取得番号 and 符号 (seeded: repeatable)."""

    municipality_code: str
    timeout_hang: float
    seed: int | None
    fugo_delay: timedelta = timedelta(0)
    journal: Journal | None = None
    clock: Callable[[], datetime] = now_jst
    state: AtenaState = field(default_factory=AtenaState)
    faults: FaultSettings = field(default_factory=FaultSettings)
    fault_rng: random.Random = field(init=False)
    number_rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._seed_sources()
        if self.journal is not None:
            self.state = AtenaState.restore(self.journal)

    def reset(self) -> None:
        """Start again from nothing (the seeded draws restart too)."""
        self.state = AtenaState.fresh(self.journal)
        self.faults = FaultSettings()
        self._seed_sources()

    def _seed_sources(self) -> None:
        self.fault_rng = random.Random(None if self.seed is None else f"faults-{self.seed}")
        self.number_rng = random.Random(None if self.seed is None else f"numbers-{self.seed}")
