"""Tell the consumer kit what to do with a message whose handling failed.

Adapters raise these from their handler (docs/style.md, "Errors say what to do"):

- `TransientError` — the external system may accept the same message later (timeout, 5xx,
  connection refused): the kit retries it through the wait queues (1 s, 10 s, 60 s by default),
  then dead-letters it and blocks the person.
- `PermanentError` — this message will never succeed as it is (4xx, a payload the external system
  refuses): the kit dead-letters it at once and blocks the person until an operator resends or
  skips it. A payload that fails its ``extra="forbid"`` model counts as permanent too.

Any other exception is treated as a bug or an outage: the message is returned to the queue and
the broker's delivery limit dead-letters it if it keeps failing.

The message of these exceptions is stored and shown to operators: it must name what failed
(status code, field, external error code), never personal data (docs/architecture.md, non-negotiable 6).
"""

from __future__ import annotations

import asyncpg

__all__ = ["DATABASE_OUTAGES", "ConsumerError", "PermanentError", "TransientError"]

_MAX_REASON = 500


class ConsumerError(Exception):
    """Base of the errors a handler raises to steer the consumer kit."""

    def reason(self) -> str:
        """Return a short, personal-data-free description for operators."""
        text = str(self) or type(self).__name__
        return text[:_MAX_REASON]


class TransientError(ConsumerError):
    """Retry this message later with back-off (一時的な障害: timeout, 5xx, connection refused)."""


class PermanentError(ConsumerError):
    """Dead-letter this message and hold the person's later ones (恒久的な誤り: 4xx, bad data)."""


DATABASE_OUTAGES: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
)
"""Database failures that pass by themselves (unreachable, restarting, a lost race): a consumer
raises `TransientError` for them and tries the same message again."""
