"""Whose checkpoints the witness keeps: only those its signer's public keys verify."""

from __future__ import annotations

from pathlib import Path

from audit_witness.adapters.signer_keys import load_signers
from audit_witness.domain.signers import Signers
from jumin_testing.checkpoint_signer import Signer


def test_a_checkpoint_signed_by_its_services_key_is_accepted(
    signer: Signer, signers_dir: Path
) -> None:
    signers = load_signers(signers_dir)

    assert signers.refusal(signer.sign(7)) is None


def test_a_checkpoint_signed_by_another_key_is_refused(
    signer: Signer, intruder: Signer, signers_dir: Path
) -> None:
    refusal = load_signers(signers_dir).refusal(intruder.sign(7))

    assert refusal is not None
    assert "does not verify" in refusal


def test_a_checkpoint_of_a_service_without_keys_is_refused(signer: Signer) -> None:
    assert Signers({}).refusal(signer.sign(7)) == (
        f"no public keys of {signer.name!r}: its checkpoints are not accepted"
    )
