"""The checkpoints table, `audit_witness.checkpoints`: add (once) and read; never change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from jumin_platform.checkpoint_signing import SignedCheckpoint
from jumin_platform.db import AnyConnection

ADD = """
INSERT INTO audit_witness.checkpoints (log, seq, row_hash, taken_at, key_id, signature)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (log, seq, row_hash) DO NOTHING
"""

LATEST = """
SELECT log, seq, row_hash, taken_at, key_id, signature, received_at
  FROM audit_witness.checkpoints WHERE log = $1 ORDER BY seq DESC, id DESC LIMIT 1
"""

RECENT = """
SELECT log, seq, row_hash, taken_at, key_id, signature, received_at
  FROM audit_witness.checkpoints WHERE log = $1 ORDER BY id DESC LIMIT $2
"""


def _checkpoint(record: asyncpg.Record) -> tuple[SignedCheckpoint, datetime]:
    fields = {k: record[k] for k in ("log", "seq", "row_hash", "taken_at", "key_id", "signature")}
    return SignedCheckpoint.model_validate(fields), record["received_at"]


class CheckpointStore:
    """Keep checkpoints in the witness's own schema."""

    def __init__(self, connection: AnyConnection) -> None:
        self._connection = connection

    async def add(self, checkpoint: SignedCheckpoint) -> bool:
        """Keep a checkpoint; False when the same one (log, seq, hash) is already kept."""
        status: str = await self._connection.execute(
            ADD,
            checkpoint.log,
            checkpoint.seq,
            checkpoint.row_hash,
            checkpoint.taken_at,
            checkpoint.key_id,
            checkpoint.signature,
        )
        return status.endswith(" 1")

    async def latest(self, log: str) -> tuple[SignedCheckpoint, datetime] | None:
        """Return the log's checkpoint with the highest seq and when it arrived."""
        record: Any = await self._connection.fetchrow(LATEST, log)
        return None if record is None else _checkpoint(record)

    async def recent(self, log: str, limit: int) -> list[tuple[SignedCheckpoint, datetime]]:
        """Return the log's last `limit` checkpoints in arrival order, newest first."""
        return [_checkpoint(r) for r in await self._connection.fetch(RECENT, log, limit)]
