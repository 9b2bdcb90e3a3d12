"""The 中間サーバー link's registry side: intermediate routed, so approvals project 住民票関係情報.

Only the outbox is read (no relay, no broker): what the registry would publish, per change.
"""

from __future__ import annotations

import pytest
from registry.config import Settings


@pytest.fixture(scope="session")
def settings(settings: Settings) -> Settings:
    """The test settings with intermediate among the routed recipients (as once its adapter runs)."""
    return settings.model_copy(
        update={"routed_recipients": settings.routed_recipients | {"intermediate"}}
    )
