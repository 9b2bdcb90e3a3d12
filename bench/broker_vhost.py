"""A dedicated RabbitMQ vhost for a benchmark, carrying Jumin's topology and permissions.

As tests/broker/conftest.py does for its throwaway vhosts: the vhost is (re)created through the
management HTTP API (default http://127.0.0.1:15672, guest/guest; override with
JUMIN_RABBITMQ_MANAGEMENT_URL/_USER/_PASSWORD), every broker user of the topology (made by
deploy/local/provision.sh) gets exactly the topology's vhost and topic permissions on it, and the
topology is declared as `jumin_admin`. So the bench runs the real accounts without touching the
`jumin` vhost that `make up` and the tests consume from.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import httpx
from jumin_platform.topology import Topology, declare

MANAGEMENT_URL = os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
MANAGEMENT_AUTH = (
    os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_USER", "guest"),
    os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_PASSWORD", "guest"),
)


def _q(name: str) -> str:
    return quote(name, safe="")


def management() -> httpx.Client:
    return httpx.Client(base_url=f"{MANAGEMENT_URL}/api", auth=MANAGEMENT_AUTH, timeout=60)


async def recreate_vhost(topology: Topology, admin_url: str) -> None:
    """Delete the vhost if it exists, create it, grant the topology's users, declare the topology."""
    vhost = _q(topology.vhost)
    with management() as client:
        client.delete(f"/vhosts/{vhost}")
        client.put(f"/vhosts/{vhost}").raise_for_status()
        for user in topology.users():
            if client.get(f"/users/{_q(user.name)}").status_code != 200:
                raise SystemExit(
                    f"broker user {user.name} does not exist: run deploy/local/provision.sh first"
                )
            p = user.permissions
            client.put(
                f"/permissions/{vhost}/{_q(user.name)}",
                json={"configure": p.configure, "write": p.write, "read": p.read},
            ).raise_for_status()
            for t in user.topic_permissions:
                client.put(
                    f"/topic-permissions/{vhost}/{_q(user.name)}",
                    json={"exchange": t.exchange, "write": t.write, "read": t.read},
                ).raise_for_status()
    await declare(topology, admin_url)


def delete_vhost(name: str) -> None:
    with management() as client:
        client.delete(f"/vhosts/{_q(name)}")


def queue_depths(name: str) -> dict[str, int]:
    """Messages ready + unacknowledged per queue of the vhost (management API)."""
    with management() as client:
        response = client.get(f"/queues/{_q(name)}", params={"columns": "name,messages"})
        response.raise_for_status()
        return {row["name"]: int(row.get("messages") or 0) for row in response.json()}
