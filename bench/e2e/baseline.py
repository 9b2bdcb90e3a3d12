"""The raw broker baseline of `bench.e2e`: bench.pipeline's `baseline`, on the e2e bench's vhost.

The very cs message bodies of the timed run (unsealed from the outbox) are published with bare
aio-pika (persistent, mandatory, publisher confirms, in relay-sized batches) to a throwaway quorum
queue and consumed with acks by one bare consumer process — what the broker alone can move.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from jumin_platform.my_number_vault import load_vault
from jumin_testing.e2e.environment import SliceEnvironment
from jumin_testing.e2e.processes import ROOT

from bench.pipeline.baseline import baseline
from bench.pipeline.processes import Pipeline
from bench.pipeline.roles import BrokerPlan
from bench.pipeline.settings import BenchConfig


@dataclass(frozen=True)
class _OnVhost(BenchConfig):
    """bench.pipeline's settings with the broker plan pointed at another vhost."""

    vhost: str = ""

    @property
    def plan(self) -> BrokerPlan:
        return BrokerPlan(self.vhost, "", self.amqp_host, self.amqp_port)


def _config(environment: SliceEnvironment, messages: int) -> _OnVhost:
    return _OnVhost(
        changes=messages,
        mode="flood",
        approvers=1,
        paced_rates=(),
        paced_seconds=0.0,
        prefetch=8,
        relay_batch=200,  # the relay's default batch
        baseline_prefetch=100,
        partitions="",
        seed=0,
        output=Path("/dev/null"),
        service_dsn=environment.registry_dsn,
        owner_dsn=environment.registry_owner_dsn,
        key_file=ROOT / "var/keys/my-number-keys.json",
        amqp_host=environment.amqp_host,
        amqp_port=environment.amqp_port,
        vhost=environment.vhost,
    )


async def cs_bodies(
    environment: SliceEnvironment, change_ids: list[str]
) -> list[tuple[bytes, str, str]]:
    """(envelope JSON, event id, person key) of the changes' cs messages, unsealed, in outbox order."""
    vault = load_vault(ROOT / "var/keys/my-number-keys.json")
    connection = await asyncpg.connect(environment.registry_owner_dsn)
    try:
        rows = await connection.fetch(
            "SELECT event_id, person_key, sealed_body FROM registry.outbox"
            " WHERE recipient = 'cs' AND change_id = ANY($1::uuid[]) ORDER BY id",
            change_ids,
        )
    finally:
        await connection.close()
    return [
        (
            vault.open(r["sealed_body"], atena_no=str(r["event_id"])).encode(),
            str(r["event_id"]),
            r["person_key"],
        )
        for r in rows
    ]


async def raw_broker_baseline(
    environment: SliceEnvironment, bodies: list[tuple[bytes, str, str]]
) -> dict[str, Any]:
    """Publish-with-confirm + consume-with-ack of the bodies; msgs/s, seconds and CPU."""
    config = _config(environment, len(bodies))
    rate, seconds, cpu = await baseline(config, Pipeline(config), bodies)
    sizes = [len(body) for body, _, _ in bodies]
    return {
        "msgs_per_s": round(rate, 1),
        "messages": len(bodies),
        "seconds": round(seconds, 2),
        "body_bytes_mean": round(sum(sizes) / len(sizes)),
        "queue": "one quorum queue, persistent messages, mandatory, publisher confirms",
        "publish_batch": config.relay_batch,
        "consumer_prefetch": config.baseline_prefetch,
        "cpu_ms_per_message": cpu,
    }
