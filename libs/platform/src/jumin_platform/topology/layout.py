"""The `Topology` value: one virtual host's exchanges, queues, bindings, users and permissions.

Part of `jumin_platform.topology` (import from there), which describes the routing.
"""

from __future__ import annotations

__all__ = [
    "Topology",
    "parse_partitions",
    "parse_recipients",
    "parse_retry_delays",
]

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from jumin_platform.topology.entities import (
    ADMIN_PASSWORD_ENV,
    ADMIN_USER,
    COMMANDS_EXCHANGE,
    DEAD_LETTER_EXCHANGE,
    DEFAULT_DELIVERY_LIMIT,
    DEFAULT_RECIPIENTS,
    DEFAULT_RETRY_DELAYS,
    DEFAULT_VHOST,
    EVENTS_EXCHANGE,
    EVERYTHING,
    NOTHING,
    PARTITION_WEIGHT,
    PERSON_KEY_HEADER,
    REGISTRY_DEAD_QUEUE,
    REGISTRY_QUEUE,
    REGISTRY_ROUTING_PREFIX,
    REGISTRY_USER,
    RETRY_EXCHANGE,
    ArgumentValue,
    Binding,
    BrokerUser,
    Exchange,
    ExchangeType,
    Permissions,
    Queue,
    Recipient,
    TopicPermission,
    password_env_for,
)

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_USER = re.compile(r"[a-z][a-z0-9_]*")


def _quorum(extra: Mapping[str, ArgumentValue] | None = None) -> dict[str, ArgumentValue]:
    return {"x-queue-type": "quorum", **(extra or {})}


def _exact(name: str) -> str:
    return "^" + re.escape(name) + "$"


def _alternatives(names: Sequence[str]) -> str:
    return "^(" + "|".join(re.escape(n) for n in names) + ")$"


@dataclass(frozen=True)
class Topology:
    """The whole broker layout of one virtual host."""

    vhost: str = DEFAULT_VHOST
    recipients: tuple[Recipient, ...] = DEFAULT_RECIPIENTS
    retry_delays: tuple[int, ...] = DEFAULT_RETRY_DELAYS
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT
    registry_user: str = REGISTRY_USER
    admin_user: str = ADMIN_USER

    def __post_init__(self) -> None:
        if not self.vhost:
            raise ValueError("empty vhost name")
        names = [r.name for r in self.recipients]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"recipient names must be present and unique: {names}")
        users = [r.user for r in self.recipients] + [self.registry_user, self.admin_user]
        if len(set(users)) != len(users):
            raise ValueError(f"every service needs its own broker user: {users}")
        for recipient in self.recipients:
            if not _NAME.fullmatch(recipient.name) or recipient.name == REGISTRY_ROUTING_PREFIX:
                raise ValueError(f"bad recipient name {recipient.name!r}")
            if recipient.partitions < 0:
                raise ValueError(f"{recipient.name}: partitions must be >= 0")
        for user in users:
            if not _USER.fullmatch(user):
                raise ValueError(f"bad broker user name {user!r}")
        if not self.retry_delays or any(d <= 0 for d in self.retry_delays):
            raise ValueError(f"retry delays must be positive seconds: {self.retry_delays}")
        if len(set(self.retry_delays)) != len(self.retry_delays):
            raise ValueError(f"duplicate retry delays: {self.retry_delays}")
        if self.delivery_limit < 1:
            raise ValueError("delivery limit must be >= 1")

    # ---- look-ups -------------------------------------------------------------------------------
    def recipient(self, name: str) -> Recipient:
        for recipient in self.recipients:
            if recipient.name == name:
                return recipient
        raise KeyError(name)

    def with_partitions(self, partitions: Mapping[str, int]) -> Topology:
        """The same topology with some recipients in scale-out mode (0 turns it off again)."""
        unknown = set(partitions) - {r.name for r in self.recipients}
        if unknown:
            raise KeyError(f"unknown recipients: {sorted(unknown)}")
        recipients = tuple(
            replace(r, partitions=partitions.get(r.name, r.partitions)) for r in self.recipients
        )
        return replace(self, recipients=recipients)

    def with_routed(self, names: Iterable[str]) -> Topology:
        """The same topology with exactly the named recipients routed (the rest unrouted)."""
        chosen = set(names)
        unknown = chosen - {r.name for r in self.recipients}
        if unknown:
            raise KeyError(f"unknown recipients: {sorted(unknown)}")
        recipients = tuple(replace(r, routed=r.name in chosen) for r in self.recipients)
        return replace(self, recipients=recipients)

    def with_all_routed(self) -> Topology:
        """The same topology with every recipient routed (as once every service exists)."""
        return self.with_routed(r.name for r in self.recipients)

    @property
    def routed_recipients(self) -> frozenset[str]:
        """The recipients `jumin.events` delivers to (the registry projects only for these)."""
        return frozenset(r.name for r in self.recipients if r.routed)

    # ---- queue arguments ------------------------------------------------------------------------
    def consumer_queue_arguments(self) -> dict[str, ArgumentValue]:
        """Main, partition and `registry.in` queues.

        Quorum (replicated, persistent); one active consumer at a time, so per-person order holds;
        after `delivery_limit` redeliveries the broker dead-letters the message itself. At-least-once
        dead-lettering (the message leaves the queue only once `jumin.dlx` has confirmed it) requires
        `x-overflow: reject-publish`; otherwise quorum queues silently fall back to at-most-once.
        """
        return _quorum(
            {
                "x-single-active-consumer": True,
                "x-delivery-limit": self.delivery_limit,
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            }
        )

    def retry_queue_arguments(
        self, recipient: Recipient, delay_seconds: int
    ) -> dict[str, ArgumentValue]:
        """Wait queue: no consumer; after the TTL the broker moves the message back (at least once)."""
        return _quorum(
            {
                "x-message-ttl": delay_seconds * 1000,
                "x-dead-letter-exchange": recipient.redeliver_exchange,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            }
        )

    # ---- the declarative description ------------------------------------------------------------
    def exchanges(self) -> tuple[Exchange, ...]:
        shared = (
            Exchange(EVENTS_EXCHANGE, ExchangeType.TOPIC),
            Exchange(COMMANDS_EXCHANGE, ExchangeType.TOPIC),
            Exchange(RETRY_EXCHANGE, ExchangeType.TOPIC),
            Exchange(DEAD_LETTER_EXCHANGE, ExchangeType.TOPIC),
        )
        own: list[Exchange] = []
        for r in self.recipients:
            own.append(Exchange(r.redeliver_exchange, ExchangeType.FANOUT, internal=True))
            if r.partitions:
                own.append(
                    Exchange(
                        r.partition_exchange,
                        ExchangeType.CONSISTENT_HASH,
                        internal=True,
                        arguments={"hash-header": PERSON_KEY_HEADER},
                    )
                )
        return shared + tuple(own)

    def queues(self) -> tuple[Queue, ...]:
        queues = [
            Queue(REGISTRY_QUEUE, self.consumer_queue_arguments()),
            Queue(REGISTRY_DEAD_QUEUE, _quorum()),
        ]
        for r in self.recipients:
            queues.extend(
                Queue(name, self.consumer_queue_arguments()) for name in r.consumer_queues
            )
            queues.append(Queue(r.dead_queue, _quorum()))
            queues.extend(
                Queue(r.retry_queue(d), self.retry_queue_arguments(r, d)) for d in self.retry_delays
            )
        return tuple(queues)

    def bindings(self) -> tuple[Binding, ...]:
        bindings = [
            Binding(COMMANDS_EXCHANGE, REGISTRY_QUEUE, f"{REGISTRY_ROUTING_PREFIX}.#"),
            Binding(DEAD_LETTER_EXCHANGE, REGISTRY_DEAD_QUEUE, f"{REGISTRY_ROUTING_PREFIX}.#"),
        ]
        for r in self.recipients:
            if r.partitions:
                if r.routed:
                    bindings.append(
                        Binding(EVENTS_EXCHANGE, r.partition_exchange, r.routing_pattern, True)
                    )
                bindings.append(Binding(r.redeliver_exchange, r.partition_exchange, "", True))
                bindings += [
                    Binding(r.partition_exchange, q, PARTITION_WEIGHT) for q in r.partition_queues
                ]
            else:
                if r.routed:
                    bindings.append(Binding(EVENTS_EXCHANGE, r.events_queue, r.routing_pattern))
                bindings.append(Binding(r.redeliver_exchange, r.events_queue, ""))
            bindings.append(Binding(DEAD_LETTER_EXCHANGE, r.dead_queue, r.routing_pattern))
            bindings += [
                Binding(RETRY_EXCHANGE, r.retry_queue(d), r.retry_queue(d))
                for d in self.retry_delays
            ]
        return tuple(bindings)

    def stale_bindings(self, recipient: Recipient) -> tuple[Binding, ...]:
        """Bindings `declare` removes if present: the other mode's, and for an unrouted recipient
        its own `jumin.events` binding too (declared when it was routed)."""
        stale = self.other_mode_bindings(recipient)
        if recipient.routed:
            return stale
        r = recipient
        own = (
            Binding(EVENTS_EXCHANGE, r.partition_exchange, r.routing_pattern, True)
            if r.partitions
            else Binding(EVENTS_EXCHANGE, r.events_queue, r.routing_pattern)
        )
        return (*stale, own)

    def other_mode_bindings(self, recipient: Recipient) -> tuple[Binding, ...]:
        """Bindings of the mode a recipient is *not* in; `declare` removes them if present."""
        r = recipient
        if r.partitions:
            return (
                Binding(EVENTS_EXCHANGE, r.events_queue, r.routing_pattern),
                Binding(r.redeliver_exchange, r.events_queue, ""),
            )
        return (
            Binding(EVENTS_EXCHANGE, r.partition_exchange, r.routing_pattern, True),
            Binding(r.redeliver_exchange, r.partition_exchange, "", True),
        )

    # ---- users and permissions ------------------------------------------------------------------
    def users(self) -> tuple[BrokerUser, ...]:
        """Every broker user with its least privileges (configure nothing, except the admin)."""
        recipient_names = "|".join(re.escape(r.name) for r in self.recipients)
        users = [
            BrokerUser(
                self.admin_user,
                ADMIN_PASSWORD_ENV,
                Permissions(EVERYTHING, EVERYTHING, EVERYTHING),
            ),
            BrokerUser(
                self.registry_user,
                password_env_for(self.registry_user),
                Permissions(NOTHING, _exact(EVENTS_EXCHANGE), _exact(REGISTRY_QUEUE)),
                (TopicPermission(EVENTS_EXCHANGE, rf"^({recipient_names})\."),),
            ),
        ]
        for r in self.recipients:
            own = re.escape(r.name)
            writes = (RETRY_EXCHANGE, DEAD_LETTER_EXCHANGE)
            adapter_write = _alternatives(((COMMANDS_EXCHANGE,) if r.commands else ()) + writes)
            users.append(
                BrokerUser(
                    r.user,
                    password_env_for(r.user),
                    Permissions(NOTHING, adapter_write, r.read_pattern),
                    (
                        TopicPermission(COMMANDS_EXCHANGE, r.command_pattern),
                        TopicPermission(RETRY_EXCHANGE, rf"^{own}\.retry\."),
                        TopicPermission(DEAD_LETTER_EXCHANGE, rf"^{own}\."),
                    ),
                )
            )
        return tuple(users)

    def user(self, name: str) -> BrokerUser:
        for user in self.users():
            if user.name == name:
                return user
        raise KeyError(name)


def parse_partitions(spec: str) -> dict[str, int]:
    """`"cs=4,koseki=2"` → `{"cs": 4, "koseki": 2}` (empty string → no scale-out)."""
    result: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, count = item.partition("=")
        if not sep or not count.strip().isdigit():
            raise ValueError(f"bad partition spec {item!r} (want recipient=N)")
        result[name.strip()] = int(count)
    return result


def parse_recipients(spec: str) -> tuple[str, ...]:
    """`cs,koseki` → ("cs", "koseki"): the routed recipients (JUMIN_AMQP_RECIPIENTS)."""
    names = tuple(part.strip() for part in spec.split(",") if part.strip())
    for name in names:
        if not _NAME.fullmatch(name):
            raise ValueError(f"bad recipient name {name!r} in {spec!r}")
    return names


def parse_retry_delays(spec: str) -> tuple[int, ...]:
    """`"1,10,60"` → `(1, 10, 60)`: the back-off steps in seconds (empty string → the default)."""
    if not spec.strip():
        return DEFAULT_RETRY_DELAYS
    parts = [part.strip() for part in spec.split(",")]
    if not all(part.isdigit() for part in parts):
        raise ValueError(f"bad retry delays {spec!r} (want seconds, e.g. 1,10,60)")
    return tuple(int(part) for part in parts)
