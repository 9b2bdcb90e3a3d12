"""Make development signing keys and staff tokens (開発用の鍵とトークン); never for production."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["generate_keypair", "issue_token"]


def generate_keypair(private_path: Path, public_path: Path) -> None:
    """Write a fresh Ed25519 key pair as PEM unless both files already exist.

    The private key is created readable by its owner only (0600).
    """
    if private_path.exists() and public_path.exists():
        return
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    _write(private_path, private_pem, mode=0o600)
    _write(public_path, public_pem, mode=0o644)


def _write(path: Path, content: bytes, *, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Open with the final mode so the private key is never world-readable, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as file:
        file.write(content)
    path.chmod(mode)  # os.open's mode is filtered by umask and ignored for existing files


def issue_token(
    *,
    private_key_pem: str,
    sub: str,
    roles: list[str],
    issuer: str,
    audience: str,
    ttl: timedelta = timedelta(hours=8),
) -> str:
    """Sign a staff token (EdDSA) for `sub` holding `roles`, valid for `ttl` from now."""
    now = datetime.now(UTC)
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": sub,
        "roles": list(roles),
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, private_key_pem, algorithm="EdDSA")
