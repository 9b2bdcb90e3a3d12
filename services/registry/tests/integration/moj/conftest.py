"""The 法務省 link's registry side: 法務省 routed, so approvals project 市町村通知 into the outbox.

Only the outbox is read (no relay, no broker): what the registry would publish, per change.
"""

from __future__ import annotations

import pytest
from registry.config import Settings


@pytest.fixture(scope="session")
def settings(settings: Settings) -> Settings:
    """The test settings with moj among the routed recipients (moj_notify consumes them)."""
    return settings.model_copy(update={"routed_recipients": settings.routed_recipients | {"moj"}})
