"""The names and entities of Jumin's RabbitMQ topology: constants, exchanges, queues, users.

Part of `jumin_platform.topology` (import from there); the routing is described in its docstring.
"""

from __future__ import annotations

__all__ = [
    "ADMIN_PASSWORD_ENV",
    "ADMIN_USER",
    "CHECKPOINT_ROUTING_KEY",
    "COMMANDS_EXCHANGE",
    "DEAD_LETTER_EXCHANGE",
    "DEFAULT_DELIVERY_LIMIT",
    "DEFAULT_RECIPIENTS",
    "DEFAULT_RETRY_DELAYS",
    "DEFAULT_VHOST",
    "EVENTS_EXCHANGE",
    "EVERYTHING",
    "NOTHING",
    "PARTITIONS_ENV",
    "PARTITION_WEIGHT",
    "PERSON_KEY_HEADER",
    "REGISTRY_DEAD_QUEUE",
    "REGISTRY_QUEUE",
    "REGISTRY_ROUTING_PREFIX",
    "REGISTRY_USER",
    "RETRY_DELAYS_ENV",
    "RETRY_EXCHANGE",
    "VHOST_ENV",
    "WITNESS_RECIPIENT",
    "ArgumentValue",
    "Binding",
    "BrokerUser",
    "Exchange",
    "ExchangeType",
    "Permissions",
    "Queue",
    "Recipient",
    "TopicPermission",
    "password_env_for",
]

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final

from jumin_platform.secrets import stored_secret
from jumin_platform.settings import environment_value

DEFAULT_VHOST: Final = "jumin"
EVENTS_EXCHANGE: Final = "jumin.events"
COMMANDS_EXCHANGE: Final = "jumin.commands"
RETRY_EXCHANGE: Final = "jumin.retry"
DEAD_LETTER_EXCHANGE: Final = "jumin.dlx"
REGISTRY_QUEUE: Final = "registry.in"
REGISTRY_DEAD_QUEUE: Final = "registry.dead"
REGISTRY_ROUTING_PREFIX: Final = "registry"
PERSON_KEY_HEADER: Final = "person-key"
PARTITION_WEIGHT: Final = "1"
DEFAULT_RETRY_DELAYS: Final = (1, 10, 60)
#: The audit witness: stores signed access-log checkpoints where the services cannot rewrite them.
WITNESS_RECIPIENT: Final = "witness"
CHECKPOINT_ROUTING_KEY: Final = "witness.checkpoint"
DEFAULT_DELIVERY_LIMIT: Final = 10

REGISTRY_USER: Final = "jumin_registry"
ADMIN_USER: Final = "jumin_admin"
ADMIN_PASSWORD_ENV: Final = "JUMIN_AMQP_ADMIN_PASSWORD"
PARTITIONS_ENV: Final = "JUMIN_AMQP_PARTITIONS"
VHOST_ENV: Final = "JUMIN_AMQP_VHOST"
RETRY_DELAYS_ENV: Final = "JUMIN_AMQP_RETRY_DELAYS"

#: Matches nothing (RabbitMQ's idiom for "no access" in a permission regex).
NOTHING: Final = "^$"
#: Matches everything.
EVERYTHING: Final = ".*"

ArgumentValue = str | int | bool


class ExchangeType(StrEnum):
    """The exchange types the topology uses."""

    TOPIC = "topic"
    FANOUT = "fanout"
    CONSISTENT_HASH = "x-consistent-hash"


@dataclass(frozen=True)
class Exchange:
    """A durable exchange."""

    name: str
    type: ExchangeType
    internal: bool = False
    arguments: Mapping[str, ArgumentValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Queue:
    """A durable queue and its (immutable once declared) `x-` arguments."""

    name: str
    arguments: Mapping[str, ArgumentValue]


@dataclass(frozen=True)
class Binding:
    """Route from exchange `source` to a queue (or, with `to_exchange`, another exchange)."""

    source: str
    destination: str
    routing_key: str
    to_exchange: bool = False


@dataclass(frozen=True)
class Permissions:
    """A user's vhost permissions: regexes over exchange and queue names."""

    configure: str
    write: str
    read: str


@dataclass(frozen=True)
class TopicPermission:
    """A user's topic permission on one topic exchange: regexes over routing keys.

    `write` limits the routing keys the user may publish with; `read` limits the binding keys
    (queue.bind to that exchange). RabbitMQ applies them to topic exchanges only.
    """

    exchange: str
    write: str
    read: str = NOTHING


@dataclass(frozen=True)
class BrokerUser:
    """A RabbitMQ user: one per service, plus the vhost admin used for declaring."""

    name: str
    password_env: str
    permissions: Permissions
    topic_permissions: tuple[TopicPermission, ...] = ()

    def password(self, environ: Mapping[str, str] | None = None) -> str:
        """Read the password from the environment (or a given mapping), else the one provisioning
        stored (`jumin_platform.secrets`); '' when there is none — never the user's name."""
        if environ is None:
            return environment_value(self.password_env)
        return environ.get(self.password_env) or stored_secret(self.password_env, environ)


def password_env_for(user: str) -> str:
    """`jumin_cs_adapter` → `JUMIN_CS_ADAPTER_AMQP_PASSWORD` (as for `jumin_registry`)."""
    return f"JUMIN_{user.removeprefix('jumin_').upper()}_AMQP_PASSWORD"


@dataclass(frozen=True)
class Recipient:
    """One authorised recipient of registry events and the service (broker user) consuming them.

    `partitions == 0` means one queue `<name>.events`; `partitions >= 1` is scale-out mode:
    a consistent-hash exchange `<name>.partition` feeds `<name>.events.p0` … `p<N-1>`.
    `commands` names the commands (`registry.<command>`) the service may send back; a recipient
    without any gets no write permission on `jumin.commands` at all.
    `routed` says whether `jumin.events` routes the recipient's messages to its queues: true once
    the service consuming them exists. An unrouted recipient keeps its queues, users and
    permissions, but nothing reaches them (so they cannot fill for ever), and the registry
    projects nothing for it (its relay publishes `mandatory`: an unroutable message would raise).
    """

    name: str
    user: str
    partitions: int = 0
    commands: tuple[str, ...] = ()
    #: In scale-out mode, the partitions one replica consumes (None: all of them).
    assigned: tuple[int, ...] | None = None
    #: Its consuming service exists: `jumin.events` routes `<name>.#` to its queues.
    routed: bool = True

    @property
    def command_pattern(self) -> str:
        """Topic regex on `jumin.commands`: exactly this service's command routing keys."""
        names = "|".join(re.escape(c) for c in self.commands)
        return rf"^{REGISTRY_ROUTING_PREFIX}\.({names})$" if self.commands else "^$"

    @property
    def routing_pattern(self) -> str:
        """Binding key on `jumin.events` (and `jumin.dlx`): every message for this recipient."""
        return f"{self.name}.#"

    @property
    def events_queue(self) -> str:
        return f"{self.name}.events"

    @property
    def dead_queue(self) -> str:
        return f"{self.name}.dead"

    @property
    def partition_exchange(self) -> str:
        return f"{self.name}.partition"

    @property
    def redeliver_exchange(self) -> str:
        return f"{self.name}.redeliver"

    def partition_queue(self, index: int) -> str:
        return f"{self.name}.events.p{index}"

    @property
    def partition_queues(self) -> tuple[str, ...]:
        return tuple(self.partition_queue(i) for i in range(self.partitions))

    @property
    def consumer_queues(self) -> tuple[str, ...]:
        """The queues this replica consumes from in the configured mode."""
        if not self.partitions:
            return (self.events_queue,)
        if self.assigned is None:
            return self.partition_queues
        return tuple(self.partition_queue(i) for i in self.assigned)

    def assign(self, partitions: Sequence[int] | None) -> Recipient:
        """Return the recipient as one replica sees it: only `partitions` (scale-out mode).

        Each partition queue is single-active-consumer, so replicas that all subscribe to every
        partition stay correct but spread unevenly (whoever registered first wins each queue);
        giving each replica its own partitions spreads the load by design.
        """
        if partitions is None:
            return replace(self, assigned=None)
        chosen = tuple(sorted(set(partitions)))
        if not self.partitions:
            raise ValueError(f"{self.name} is not in scale-out mode: no partitions to assign")
        if not chosen or any(not 0 <= i < self.partitions for i in chosen):
            raise ValueError(
                f"partitions of {self.name} are 0..{self.partitions - 1}, got {list(partitions)}"
            )
        return replace(self, assigned=chosen)

    def retry_queue(self, delay_seconds: int) -> str:
        """Wait queue for one back-off step; also its routing key on `jumin.retry`."""
        return f"{self.name}.retry.{delay_seconds}s"

    @property
    def read_pattern(self) -> str:
        """Vhost read regex: the recipient's own consumer queues (both modes) and its dead queue.

        Deliberately not `^<name>\\.`: read on an *exchange* is what lets a user bind from it, so
        the pattern must not match `<name>.partition` or `<name>.redeliver`.
        """
        return rf"^{self.name}\.(events|events\.p[0-9]+|dead)$"


DEFAULT_RECIPIENTS: Final = (
    # 個人番号 (生成要求の応答), 空き住民票コード and 転入通知 arrive from CS (spec 7.1.2.1, 4.3.1, 4.1.3.1).
    Recipient(
        "cs", "jumin_cs_adapter", commands=("my_number_assigned", "free_codes", "move_in_notice")
    ),
    # 附票記載事項通知 to the ward's 戸籍附票システム (住基法19条1項), sent by koseki_adapter; from the
    # 戸籍 side 住民票記載事項通知 (住基法9条2項), 戸籍照合通知 and 本籍転属通知 (19条2項・3項).
    Recipient(
        "koseki",
        "jumin_koseki_adapter",
        commands=("koseki_record_notice", "koseki_collation_notice", "honseki_transfer_notice"),
    ),
    # 市町村通知・市町村伝達 to 出入国在留管理庁 (入管法61条の8の2, 入管令2条), sent by moj_notify; back
    # from it, 長官通知 (住基法30条の50).
    Recipient("moj", "jumin_moj_notify", commands=("moj_notice",)),
    # Not built yet: routed=False until the service exists (docs/adding-a-service.md, step 3), so
    # their queues never fill with messages nobody consumes. JUMIN_AMQP_RECIPIENTS overrides.
    Recipient("intermediate", "jumin_intermediate_server", routed=False),
    Recipient("certificates", "jumin_certificates", routed=False),
    # Signed access-log checkpoints (チェックポイント) from the registry, kept append-only by the
    # audit_witness service in its own schema (docs/architecture.md, "Audit").
    Recipient(WITNESS_RECIPIENT, "jumin_audit_witness"),
)
