"""The simulated systems' clock: Japan time (their timestamps carry +09:00)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


def now_jst() -> datetime:
    """Return the current time in Japan."""
    return datetime.now(JST)
