"""Fault injection settings and the per-call draw (simulators only; the real systems have none)."""

from __future__ import annotations

import enum
import random
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from jumin_simulator.formats import JuminhyoCode


class Faults(BaseModel):
    """What goes wrong on any simulated system's calls: latency, busy answers, hangs, lost
    replies, outage. Each simulator's settings add how it picks the people it refuses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    latency_ms: int = Field(default=0, ge=0, le=600_000, description="added to every call")
    error_rate: float = Field(default=0.0, ge=0, le=1, description="share answered 503 E-BUSY")
    timeout_rate: float = Field(default=0.0, ge=0, le=1, description="share that hang, then close")
    lost_reply_rate: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description=(
            "share of message POSTs processed (and stored) as usual whose answer is then "
            "replaced by 503 E-BUSY, as if the reply was lost on the line"
        ),
    )
    down: bool = Field(default=False, description="every call answered 503 E-DOWN at once")


class FaultSettings(Faults):
    """Faults of a system that knows people by 住民票コード (市町村CS, 戸籍附票システム)."""

    reject_juminhyo_codes: frozenset[JuminhyoCode] = Field(
        default=frozenset(), description="people whose messages are refused with 422 E-REJECTED"
    )


class Fault(enum.Enum):
    """What one call suffers."""

    NONE = "none"
    DOWN = "down"
    HANG = "hang"
    BUSY = "busy"
    LOST_REPLY = "lost_reply"


class FaultSource(Protocol):
    """A simulator that injects faults: its settings, its (seedable) draws, how long a hang lasts."""

    @property
    def faults(self) -> Faults: ...

    @property
    def fault_rng(self) -> random.Random: ...

    @property
    def timeout_hang(self) -> float: ...


def draw_fault(settings: Faults, rng: random.Random, *, message: bool) -> Fault:
    """Decide this call's fault: hangs, then busy answers, then (for a POST of a message,
    `message`) a lost reply."""
    if settings.down:
        return Fault.DOWN
    if settings.timeout_rate and rng.random() < settings.timeout_rate:
        return Fault.HANG
    if settings.error_rate and rng.random() < settings.error_rate:
        return Fault.BUSY
    if message and settings.lost_reply_rate and rng.random() < settings.lost_reply_rate:
        return Fault.LOST_REPLY
    return Fault.NONE


def rejects(settings: FaultSettings, juminhyo_code: str | None) -> bool:
    """Tell whether the system is set to refuse messages naming this 住民票コード."""
    return juminhyo_code is not None and juminhyo_code in settings.reject_juminhyo_codes
