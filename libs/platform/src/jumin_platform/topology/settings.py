"""The broker settings every process and the provisioning share: `JUMIN_AMQP_*`.

    JUMIN_AMQP_VHOST           virtual host (jumin)
    JUMIN_AMQP_HOST / _PORT    where provisioning reaches the broker (127.0.0.1 / 5672)
    JUMIN_AMQP_PARTITIONS      scale-out per recipient, e.g. `cs=4` (the one partition count)
    JUMIN_AMQP_RETRY_DELAYS    back-off steps in seconds, e.g. `1,10,60`
    JUMIN_AMQP_RECIPIENTS      the routed recipients, e.g. `cs,koseki` (default: those whose
                               service exists, `Recipient.routed` in DEFAULT_RECIPIENTS)

Provisioning and every process must see the same partitions and delays: the wait and partition
queues are named by them. Read through pydantic-settings like every other setting (also from a
`.env` file); a malformed value stops the process at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from jumin_platform.topology.entities import DEFAULT_RETRY_DELAYS, DEFAULT_VHOST, Recipient
from jumin_platform.topology.layout import (
    Topology,
    parse_partitions,
    parse_recipients,
    parse_retry_delays,
)

__all__ = [
    "BROKER_ENV_PREFIX",
    "BrokerConfig",
    "BrokerSettings",
    "Replica",
    "ReplicaSlot",
    "parse_replica",
    "topology_from_env",
]

BROKER_ENV_PREFIX = "JUMIN_AMQP_"


def _from_text(parse: Callable[[str], Any]) -> BeforeValidator:
    return BeforeValidator(lambda value: parse(value) if isinstance(value, str) else value)


class BrokerConfig(BaseModel):
    """The broker's address and the topology's shape, as values (validated)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    vhost: str = Field(default=DEFAULT_VHOST, min_length=1, description="virtual host")
    host: str = Field(default="127.0.0.1", min_length=1, description="broker host")
    port: int = Field(default=5672, ge=1, le=65535, description="broker AMQP port")
    partitions: Annotated[dict[str, int], NoDecode, _from_text(parse_partitions)] = Field(
        default_factory=dict, description="scale-out per recipient: `cs=4,koseki=2`"
    )
    retry_delays: Annotated[tuple[int, ...], NoDecode, _from_text(parse_retry_delays)] = Field(
        default=DEFAULT_RETRY_DELAYS, description="back-off steps in seconds: `1,10,60`"
    )
    recipients: Annotated[tuple[str, ...] | None, NoDecode, _from_text(parse_recipients)] = Field(
        default=None, description="routed recipients: `cs,koseki` (default: services that exist)"
    )

    @classmethod
    def of(cls, environ: Mapping[str, str]) -> BrokerConfig:
        """Read the `JUMIN_AMQP_*` entries of a given mapping (and nothing else)."""
        values = {
            name.removeprefix(BROKER_ENV_PREFIX).lower(): value
            for name, value in environ.items()
            if name.startswith(BROKER_ENV_PREFIX) and value
        }
        return cls.model_validate(values)

    def topology(self) -> Topology:
        """Return the default topology with this vhost, scale-out and back-off."""
        topology = Topology(vhost=self.vhost, retry_delays=self.retry_delays)
        if self.recipients is not None:
            topology = topology.with_routed(self.recipients)
        return topology.with_partitions(self.partitions)


class BrokerSettings(BaseSettings, BrokerConfig):
    """`BrokerConfig` read from the environment (and `.env`)."""

    model_config = SettingsConfigDict(
        env_prefix=BROKER_ENV_PREFIX,
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )


def topology_from_env(environ: Mapping[str, str] | None = None) -> Topology:
    """The default topology shaped by `JUMIN_AMQP_*`: from the environment, or a given mapping."""
    config = BrokerSettings() if environ is None else BrokerConfig.of(environ)
    return config.topology()


@dataclass(frozen=True)
class Replica:
    """This process's place among the `count` replicas of one adapter in scale-out mode.

    The partition count is the topology's (`JUMIN_AMQP_PARTITIONS`); a replica only says which
    one it is, and consumes the partitions p with p mod count = index — so the replicas share the
    partitions evenly by design (each partition queue is single-active-consumer either way).
    """

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"replica {self.index}/{self.count}: want 0 <= index < count")

    def partitions(self, recipient: Recipient) -> tuple[int, ...]:
        """Return the partitions of `recipient` this replica consumes."""
        if not recipient.partitions:
            raise ValueError(f"{recipient.name} is not in scale-out mode (JUMIN_AMQP_PARTITIONS)")
        if self.count > recipient.partitions:
            raise ValueError(
                f"{self.count} replicas of {recipient.name} but only {recipient.partitions} "
                "partitions: a replica would consume nothing"
            )
        return tuple(p for p in range(recipient.partitions) if p % self.count == self.index)


_REPLICA = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*")


def parse_replica(text: str) -> Replica:
    """`"0/2"` → `Replica(index=0, count=2)`."""
    match = _REPLICA.fullmatch(text)
    if match is None:
        raise ValueError(f"bad replica {text!r} (want index/count, e.g. 0/2)")
    return Replica(int(match[1]), int(match[2]))


ReplicaSlot = Annotated[Replica, NoDecode, _from_text(parse_replica)]
"""A setting naming this process's replica slot, written `index/count` (`0/2`)."""
