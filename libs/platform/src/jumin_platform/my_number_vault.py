"""個人番号 at rest: AES-256-GCM with rotating keys, and a keyed hash (HMAC-SHA256) for lookups.

A sealed value reads ``mn1:<key id>:<base64url(nonce ‖ ciphertext)>``. The person's 宛名番号 is
bound in as associated data, so a sealed number copied onto another person does not open.
Old keys stay in the key ring to open old values; new values are sealed with the active key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "mn1"
_NONCE_BYTES = 12


class VaultError(Exception):
    """A sealed 個人番号 cannot be opened (unknown key, wrong person, tampered)."""


def is_sealed(value: str) -> bool:
    """Say whether a stored value is a sealed 個人番号 rather than plain digits."""
    return value.startswith(PREFIX + ":")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class MyNumberVault:
    """Seal, open and hash 個人番号 with a key ring (key id → 32-byte key)."""

    keys: dict[str, bytes]
    active_key_id: str
    lookup_key: bytes

    def __post_init__(self) -> None:
        if self.active_key_id not in self.keys:
            raise ValueError("the active key id is not in the key ring")
        if any(len(key) != 32 for key in self.keys.values()) or len(self.lookup_key) < 32:
            raise ValueError("keys must be 32 bytes (AES-256) and the lookup key at least 32")

    def seal(self, my_number: str, *, atena_no: str) -> str:
        """Encrypt a 個人番号 for one person with the active key."""
        nonce = os.urandom(_NONCE_BYTES)
        aead = AESGCM(self.keys[self.active_key_id])
        sealed = aead.encrypt(nonce, my_number.encode(), atena_no.encode())
        return f"{PREFIX}:{self.active_key_id}:{_b64(nonce + sealed)}"

    def open(self, sealed: str, *, atena_no: str) -> str:
        """Decrypt a sealed 個人番号 of the given person."""
        try:
            prefix, key_id, body = sealed.split(":", 2)
            raw = _unb64(body)
            aead = AESGCM(self.keys[key_id])
            plain = aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], atena_no.encode())
        except (ValueError, KeyError, InvalidTag) as exc:
            raise VaultError("sealed 個人番号 cannot be opened") from exc
        if prefix != PREFIX:
            raise VaultError("unknown sealing format")
        return plain.decode()

    def needs_rotation(self, sealed: str) -> bool:
        """Say whether a value was sealed with a key other than the active one."""
        return sealed.split(":", 2)[1] != self.active_key_id

    def reseal(self, sealed: str, *, atena_no: str) -> str:
        """Re-encrypt a value under the active key (key rotation)."""
        return self.seal(self.open(sealed, atena_no=atena_no), atena_no=atena_no)

    def lookup_hash(self, my_number: str) -> str:
        """Return the keyed hash used for exact lookup by 個人番号 (no plaintext index)."""
        return hmac.new(self.lookup_key, my_number.encode(), hashlib.sha256).hexdigest()


def generate_key_file(path: Path) -> None:
    """Write a new key ring file (one AES key, one lookup key) unless it exists; mode 0600."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "active": "k1",
        "keys": {"k1": _b64(os.urandom(32))},
        "lookup": _b64(os.urandom(32)),
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(content, handle, indent=2)


def load_vault(path: Path) -> MyNumberVault:
    """Read a key ring file: {"active": id, "keys": {id: base64}, "lookup": base64}."""
    content = json.loads(path.read_text())
    return MyNumberVault(
        keys={key_id: _unb64(value) for key_id, value in content["keys"].items()},
        active_key_id=content["active"],
        lookup_key=_unb64(content["lookup"]),
    )
