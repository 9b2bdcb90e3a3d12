"""RabbitMQ's management HTTP API, as bench/broker_vhost.py uses it, for the slice's own vhost.

Default http://127.0.0.1:15672 with guest/guest; override with JUMIN_RABBITMQ_MANAGEMENT_URL,
_USER and _PASSWORD.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import httpx

MANAGEMENT_URL = os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
MANAGEMENT_AUTH = (
    os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_USER", "guest"),
    os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_PASSWORD", "guest"),
)


def _q(name: str) -> str:
    return quote(name, safe="")


def management() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=f"{MANAGEMENT_URL}/api", auth=MANAGEMENT_AUTH, timeout=30)


async def delete_vhost(vhost: str) -> None:
    """Delete the vhost with everything in it (provisioning makes it again, empty)."""
    async with management() as client:
        response = await client.delete(f"/vhosts/{_q(vhost)}")
        if response.status_code not in (204, 404):
            response.raise_for_status()
