"""Signed access-log checkpoints (署名付きチェックポイント): the wire form and its Ed25519 key rings.

A checkpoint names an access log's head at one moment (`jumin_platform.access_log.Checkpoint`:
seq and row hash). Signed, it says *which* log (``registry.access_log``), when it was taken, and
with which key; a witness that stores it where the service cannot rewrite it lets `audit verify`
find rows deleted from the end of the log later (docs/architecture.md, "Audit").

Keys work as the 個人番号 key ring does (`jumin_platform.my_number_vault`): a JSON file of key ids
and keys with one active key; old keys stay in the ring so old checkpoints still verify. Signing
keys are Ed25519 private keys, kept by the signing service only (0600); the matching *public* ring
is all a verifier needs (the witness, `audit verify`), so no verifier can forge a checkpoint.

    signing ring  {"active": "k1", "keys": {"k1": "<base64url raw private key>"}}
    public ring   {"keys": {"k1": "<base64url raw public key>"}}
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from jumin_platform.access_log import Checkpoint

__all__ = [
    "SignedCheckpoint",
    "SigningKeyRing",
    "VerifyingKeyRing",
    "generate_checkpoint_keys",
    "load_signing_ring",
    "load_verifying_ring",
]

_DOMAIN = b"jumin.access-log-checkpoint.v1\n"
"""Prefix of the signed bytes: a signature over anything else never passes for a checkpoint's."""

_LOG_NAME = re.compile(r"[a-z][a-z0-9_]*\.access_log")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("want a time with its offset")
    return value.astimezone(UTC)


class SignedCheckpoint(BaseModel):
    """One signed checkpoint as it travels (`witness.checkpoint` on `jumin.events`) and is stored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    log: str = Field(pattern=_LOG_NAME.pattern, description="the log: `<schema>.access_log`")
    seq: int = Field(ge=0, description="the head's sequence number (0: the log is empty)")
    row_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="the head's row hash, hex")
    taken_at: Annotated[datetime, AfterValidator(_utc)] = Field(description="when it was taken")
    key_id: str = Field(min_length=1, max_length=64, description="the signing key's id")
    signature: str = Field(min_length=1, max_length=200, description="Ed25519, base64url")

    @property
    def checkpoint(self) -> Checkpoint:
        """Return the head it names, as `AccessLog.verify` expects it."""
        return Checkpoint(seq=self.seq, row_hash=self.row_hash, at=self.taken_at)

    @property
    def signer(self) -> str:
        """Return the service whose log it names (the schema: ``registry``)."""
        return self.log.split(".", 1)[0]

    def signed_bytes(self) -> bytes:
        """Return the bytes the signature covers: everything but the signature and key id."""
        return _signed_bytes(self.log, self.seq, self.row_hash, self.taken_at)


def _signed_bytes(log: str, seq: int, row_hash: str, taken_at: datetime) -> bytes:
    content = {
        "log": log,
        "seq": seq,
        "row_hash": row_hash,
        "taken_at": taken_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    return _DOMAIN + json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class VerifyingKeyRing:
    """Check checkpoint signatures with the signer's public keys (key id → key)."""

    keys: dict[str, Ed25519PublicKey]

    def problem(self, checkpoint: SignedCheckpoint) -> str | None:
        """Say why a checkpoint's signature does not hold (None when it does)."""
        key = self.keys.get(checkpoint.key_id)
        if key is None:
            return (
                f"checkpoint {checkpoint.seq} is signed with an unknown key {checkpoint.key_id!r}"
            )
        try:
            key.verify(_unb64(checkpoint.signature), checkpoint.signed_bytes())
        except (InvalidSignature, ValueError):
            return (
                f"checkpoint {checkpoint.seq} of {checkpoint.log} has a signature that does not"
                " verify: forged or altered"
            )
        return None


@dataclass(frozen=True)
class SigningKeyRing:
    """Sign checkpoints with the active key; the other keys are kept for their public halves."""

    keys: dict[str, Ed25519PrivateKey]
    active_key_id: str

    def __post_init__(self) -> None:
        if self.active_key_id not in self.keys:
            raise ValueError("the active key id is not in the key ring")

    def sign(self, log: str, head: Checkpoint, *, taken_at: datetime) -> SignedCheckpoint:
        """Sign the head of `log` as taken at `taken_at`."""
        row_hash = head.row_hash.lower()
        signature = self.keys[self.active_key_id].sign(
            _signed_bytes(log, head.seq, row_hash, taken_at)
        )
        return SignedCheckpoint(
            log=log,
            seq=head.seq,
            row_hash=row_hash,
            taken_at=taken_at,
            key_id=self.active_key_id,
            signature=_b64(signature),
        )

    def verifying(self) -> VerifyingKeyRing:
        """Return the public ring that checks this ring's signatures."""
        return VerifyingKeyRing({kid: key.public_key() for kid, key in self.keys.items()})


def load_signing_ring(path: Path) -> SigningKeyRing:
    """Read a signing ring file: {"active": id, "keys": {id: base64url raw private key}}."""
    content = json.loads(path.read_text())
    keys = {
        kid: Ed25519PrivateKey.from_private_bytes(_unb64(raw))
        for kid, raw in content["keys"].items()
    }
    return SigningKeyRing(keys=keys, active_key_id=content["active"])


def load_verifying_ring(path: Path) -> VerifyingKeyRing:
    """Read a public ring file: {"keys": {id: base64url raw public key}}."""
    content = json.loads(path.read_text())
    return VerifyingKeyRing(
        {
            kid: Ed25519PublicKey.from_public_bytes(_unb64(raw))
            for kid, raw in content["keys"].items()
        }
    )


def generate_checkpoint_keys(private_path: Path, public_path: Path) -> None:
    """Write a signing ring with one key (0600) unless it exists, and its public ring (0644).

    The public ring is rewritten from the signing ring each time, so it follows a rotation (a new
    key made active, old ones kept) done by hand in the signing ring.
    """
    if not private_path.exists():
        private_path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate().private_bytes_raw()
        content = {"active": "k1", "keys": {"k1": _b64(key)}}
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(content, handle, indent=2)
    ring = load_signing_ring(private_path).verifying()
    public = {kid: _b64(key.public_bytes_raw()) for kid, key in ring.keys.items()}
    public_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.write_text(json.dumps({"keys": public}, indent=2) + "\n")
    public_path.chmod(0o644)
