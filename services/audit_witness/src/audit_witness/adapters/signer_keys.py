"""Read the signers' public key rings from a directory: `<service>.json` each."""

from __future__ import annotations

from pathlib import Path

from jumin_platform.checkpoint_signing import load_verifying_ring

from audit_witness.domain.signers import Signers


def load_signers(directory: Path) -> Signers:
    """Load every `<service>.json` public ring in `directory` (none yet: an empty set)."""
    if not directory.is_dir():
        return Signers({})
    return Signers(
        {path.stem: load_verifying_ring(path) for path in sorted(directory.glob("*.json"))}
    )
