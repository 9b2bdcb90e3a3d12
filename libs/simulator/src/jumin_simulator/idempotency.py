"""Idempotent receipt: the same key with the same message gets the stored answer, another → 409."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from jumin_simulator.errors import key_reused

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
