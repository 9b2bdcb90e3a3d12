"""Topologies the platform's unit tests share."""

from __future__ import annotations

import pytest
from jumin_platform.topology import Topology


@pytest.fixture
def topology() -> Topology:
    """The layout once every recipient's service exists (all routed)."""
    return Topology().with_all_routed()


@pytest.fixture
def scaled() -> Topology:
    return Topology().with_all_routed().with_partitions({"cs": 4})
