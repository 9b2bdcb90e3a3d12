"""Topologies the platform's unit tests share."""

from __future__ import annotations

from pathlib import Path

import pytest
from jumin_platform.secrets import SECRETS_DIR_ENV, ensure_secrets, secrets_file
from jumin_platform.topology import Topology


@pytest.fixture
def topology() -> Topology:
    """The layout once every recipient's service exists (all routed)."""
    return Topology().with_all_routed()


@pytest.fixture
def scaled() -> Topology:
    return Topology().with_all_routed().with_partitions({"cs": 4})


@pytest.fixture
def stored_passwords(tmp_path: Path, topology: Topology) -> dict[str, str]:
    """An environment whose only entry points at a secrets folder holding every user's password,
    as `python -m jumin_platform.secrets ensure` leaves it."""
    environ = {SECRETS_DIR_ENV: str(tmp_path / "secrets")}
    ensure_secrets([u.password_env for u in topology.users()], secrets_file(environ))
    return environ
