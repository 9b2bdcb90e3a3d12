"""The running simulator: its state, number source, fault settings and pending answers."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from jumin_simulator.clock import now_jst
from jumin_simulator.faults import FaultSettings

from cs_simulator.domain.numbers import NumberIssuer
from cs_simulator.domain.state import CsState, Journal

__all__ = ["Simulator", "now_jst"]


@dataclass
class Simulator:
    """Hold what one simulator process needs; `reset` forgets everything (tests).

    With a journal the state is restored from it at start and every change is appended to it."""

    municipality_code: str
    my_number_delay: float
    timeout_hang: float
    seed: int | None
    journal: Journal | None = None
    state: CsState = field(default_factory=CsState)
    faults: FaultSettings = field(default_factory=FaultSettings)
    numbers: NumberIssuer = field(init=False)
    fault_rng: random.Random = field(init=False)
    pending: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._seed_sources()
        if self.journal is not None:
            self.state = CsState.restore(self.journal)
            self._mark_numbers_used()

    def reset(self) -> None:
        """Cancel pending answers and start again from nothing (seeded sources restart too)."""
        self.cancel_pending()
        self.state = CsState.fresh(self.journal)
        self.faults = FaultSettings()
        self._seed_sources()

    def _mark_numbers_used(self) -> None:
        """Numbers the restored state holds are not handed out again."""
        for transmission in self.state.identities.values():
            self.numbers.mark_juminhyo_code_used(transmission.juminhyo_code)
        for batch in self.state.free_code_batches.values():
            for code in batch.codes:
                self.numbers.mark_juminhyo_code_used(code)
        for number in self.state.my_numbers.values():
            self.numbers.mark_my_number_used(number)

    def cancel_pending(self) -> None:
        """Cancel answers not yet delivered (reset, shutdown)."""
        for task in self.pending:
            task.cancel()
        self.pending.clear()

    def _seed_sources(self) -> None:
        seed = self.seed
        self.numbers = NumberIssuer(random.Random(seed))
        self.fault_rng = random.Random(None if seed is None else f"faults-{seed}")
