"""A signer of checkpoints for the audit witness's tests: a service name and its key ring."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from jumin_platform.access_log import Checkpoint
from jumin_platform.checkpoint_signing import SignedCheckpoint, SigningKeyRing


@dataclass(frozen=True)
class Signer:
    """A service that signs checkpoints of its log `<name>.access_log`."""

    name: str
    ring: SigningKeyRing

    @property
    def log(self) -> str:
        return f"{self.name}.access_log"

    def sign(self, seq: int, row_hash: str | None = None) -> SignedCheckpoint:
        head = Checkpoint(seq=seq, row_hash=row_hash or secrets.token_hex(32))
        return self.ring.sign(self.log, head, taken_at=datetime.now(UTC))
