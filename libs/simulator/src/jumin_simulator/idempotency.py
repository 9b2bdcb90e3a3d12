"""Idempotent receipt: the same key with the same message gets the stored answer, another → 409."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from fastapi import Header

from jumin_simulator.errors import key_reused

IdempotencyKey = Annotated[
    UUID, Header(alias="Idempotency-Key", description="冪等キー: one per transmission (UUID)")
]
"""The header every message POST carries: a resend reuses it."""

_Stored = TypeVar("_Stored")


def replay_of(stored: _Stored | None, *, same: Callable[[_Stored], bool]) -> _Stored | None:
    """Return what was stored under a key for a resend of the same message (None: a new key).

    Raises CodedError E-KEY-REUSED (409) when the key was used for a different message.
    """
    if stored is None:
        return None
    if not same(stored):
        raise key_reused()
    return stored


@dataclass(frozen=True)
class Acknowledgement(Generic[_Stored]):
    """What the sender of a message gets back: the stored receipt, and whether this was a replay
    (answered 200 with the stored answer instead of 201)."""

    receipt: _Stored
    replayed: bool
