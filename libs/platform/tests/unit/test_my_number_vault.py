"""個人番号 sealing: round trip, binding to the person, rotation, keyed lookup hash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jumin_platform.my_number_vault import (
    MyNumberVault,
    VaultError,
    generate_key_file,
    is_sealed,
    load_vault,
)

MY_NUMBER = "621498320257"


def _vault(active: str = "k1", **keys: bytes) -> MyNumberVault:
    ring = keys or {"k1": os.urandom(32)}
    return MyNumberVault(keys=ring, active_key_id=active, lookup_key=b"L" * 32)


def test_sealed_value_hides_the_number_and_opens_for_the_same_person() -> None:
    vault = _vault()
    sealed = vault.seal(MY_NUMBER, atena_no="0000000019")
    assert is_sealed(sealed)
    assert MY_NUMBER not in sealed
    assert vault.open(sealed, atena_no="0000000019") == MY_NUMBER


def test_sealing_twice_gives_different_ciphertexts() -> None:
    vault = _vault()
    assert vault.seal(MY_NUMBER, atena_no="1") != vault.seal(MY_NUMBER, atena_no="1")


def test_a_sealed_number_copied_to_another_person_does_not_open() -> None:
    vault = _vault()
    sealed = vault.seal(MY_NUMBER, atena_no="0000000019")
    with pytest.raises(VaultError):
        vault.open(sealed, atena_no="0000000027")


def test_tampered_ciphertext_does_not_open() -> None:
    vault = _vault()
    sealed = vault.seal(MY_NUMBER, atena_no="0000000019")
    tampered = sealed[:-2] + ("AA" if not sealed.endswith("AA") else "BB")
    with pytest.raises(VaultError):
        vault.open(tampered, atena_no="0000000019")


def test_rotation_keeps_old_values_readable_and_reseals_with_the_new_key() -> None:
    old_key, new_key = os.urandom(32), os.urandom(32)
    before = _vault("k1", k1=old_key)
    sealed = before.seal(MY_NUMBER, atena_no="9")
    after = _vault("k2", k1=old_key, k2=new_key)
    assert after.needs_rotation(sealed)
    resealed = after.reseal(sealed, atena_no="9")
    assert not after.needs_rotation(resealed)
    assert _vault("k2", k2=new_key).open(resealed, atena_no="9") == MY_NUMBER


def test_a_retired_key_no_longer_opens_its_values() -> None:
    sealed = _vault("k1", k1=os.urandom(32)).seal(MY_NUMBER, atena_no="9")
    with pytest.raises(VaultError):
        _vault("k2", k2=os.urandom(32)).open(sealed, atena_no="9")


def test_lookup_hash_is_stable_keyed_and_not_the_number() -> None:
    vault = _vault()
    digest = vault.lookup_hash(MY_NUMBER)
    assert digest == vault.lookup_hash(MY_NUMBER)
    assert MY_NUMBER not in digest
    other = MyNumberVault(keys=vault.keys, active_key_id="k1", lookup_key=b"M" * 32)
    assert other.lookup_hash(MY_NUMBER) != digest


def test_key_file_is_private_and_loads(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "my-number.json"
    generate_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    vault = load_vault(path)
    assert vault.open(vault.seal(MY_NUMBER, atena_no="1"), atena_no="1") == MY_NUMBER


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        MyNumberVault(keys={"k1": b"short"}, active_key_id="k1", lookup_key=b"L" * 32)
