"""Whose checkpoints the witness accepts: a signer's public key ring per service (pure rules).

A checkpoint names its log, ``<service>.access_log``; only that service's keys may sign it, so one
service's key cannot vouch for (or against) another service's log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jumin_platform.checkpoint_signing import SignedCheckpoint, VerifyingKeyRing


@dataclass(frozen=True)
class Signers:
    """The public key rings of the services whose checkpoints are kept, by service name."""

    rings: Mapping[str, VerifyingKeyRing]

    def refusal(self, checkpoint: SignedCheckpoint) -> str | None:
        """Say why a checkpoint must not be kept (None: its signer's key signed it)."""
        ring = self.rings.get(checkpoint.signer)
        if ring is None:
            return f"no public keys of {checkpoint.signer!r}: its checkpoints are not accepted"
        return ring.problem(checkpoint)
