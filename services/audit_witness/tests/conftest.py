"""Fixtures of the witness's tests: a signer of its own (keys in a temporary folder)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from jumin_platform.checkpoint_signing import generate_checkpoint_keys, load_signing_ring
from jumin_testing.checkpoint_signer import Signer


@pytest.fixture
def signers_dir(tmp_path: Path) -> Path:
    """The folder of public rings the witness trusts."""
    return tmp_path / "signers"


@pytest.fixture
def signer(tmp_path: Path, signers_dir: Path) -> Signer:
    """A signer trusted by the witness, with a name of its own (the table is never emptied)."""
    name = f"t{secrets.token_hex(6)}"
    private = tmp_path / f"{name}-keys.json"
    generate_checkpoint_keys(private, signers_dir / f"{name}.json")
    return Signer(name, load_signing_ring(private))


@pytest.fixture
def intruder(tmp_path: Path, signer: Signer) -> Signer:
    """Someone signing the same log with a key of their own, named like the signer's."""
    private = tmp_path / "intruder-keys.json"
    generate_checkpoint_keys(private, tmp_path / "intruder-public.json")
    return Signer(signer.name, load_signing_ring(private))
