"""Jumin's RabbitMQ topology, described once: exchanges, queues, bindings, users and permissions.

One frozen `Topology` value describes the virtual host (`jumin` by default). From it:

- `declare(topology, amqp_url)` declares every exchange, queue and binding over AMQP with the
  vhost's admin user (`jumin_admin`). Idempotent; it also removes the bindings of the *other*
  scale-out mode, so switching a recipient between one queue and N partitions re-routes new
  messages (the old queues are left to drain, never deleted).
- `provision_users(topology, rabbitmqctl)` creates the broker users (one per service plus the admin),
  syncs their passwords to the environment and sets vhost and topic permissions with `rabbitmqctl`.

Routing (see ARCHITECTURE.md, "Messaging"):

    registry ─▶ jumin.events (topic) ─<r>.#──▶ <r>.events            quorum, single active consumer
                                     └<r>.#──▶ <r>.partition (x-consistent-hash on header person-key)
                                                   └─"1"─▶ <r>.events.p0 … p<N-1>   (scale-out mode)
    adapter ─▶ jumin.commands (topic) ─registry.#─▶ registry.in
    adapter ─▶ jumin.retry (topic) ─<r>.retry.<d>s─▶ <r>.retry.<d>s  (TTL d) ─dead-letter─▶
                   <r>.redeliver (fanout, internal) ─▶ <r>.events, or <r>.partition in scale-out mode
    <r>.events / partitions / registry.in ─reject, delivery limit─▶ jumin.dlx (topic) ─<r>.#─▶ <r>.dead

Why `jumin.retry` and `jumin.dlx` are topic exchanges, not direct: RabbitMQ checks topic
permissions (routing-key regexes) only on topic exchanges, so a direct exchange would let any
adapter publish into every other recipient's retry or dead-letter queue. Topic exchanges with
exact binding keys route like direct ones and let the broker enforce "only your own keys".

Why the wait queues dead-letter into a per-recipient `<r>.redeliver` exchange rather than straight
into `<r>.events`: queue arguments can never change, bindings can. The same wait queues then serve
both modes: in scale-out mode `<r>.redeliver` feeds `<r>.partition`, which hashes the message's
`person-key` header again and so returns it to the partition it came from.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final
from urllib.parse import unquote, urlsplit

import aio_pika
import aio_pika.abc
from aiormq.exceptions import ChannelNotFoundEntity, ChannelPreconditionFailed

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
DEFAULT_DELIVERY_LIMIT: Final = 10

REGISTRY_USER: Final = "jumin_registry"
ADMIN_USER: Final = "jumin_admin"
ADMIN_PASSWORD_ENV: Final = "JUMIN_AMQP_ADMIN_PASSWORD"
PARTITIONS_ENV: Final = "JUMIN_AMQP_PARTITIONS"
VHOST_ENV: Final = "JUMIN_AMQP_VHOST"

#: Matches nothing (RabbitMQ's idiom for "no access" in a permission regex).
NOTHING: Final = "^$"
#: Matches everything.
EVERYTHING: Final = ".*"

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_USER = re.compile(r"[a-z][a-z0-9_]*")

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
        """Read the password from the environment; the user name is the development default."""
        env = os.environ if environ is None else environ
        return env.get(self.password_env) or self.name


def password_env_for(user: str) -> str:
    """`jumin_cs_adapter` → `JUMIN_CS_ADAPTER_AMQP_PASSWORD` (as for `jumin_registry`)."""
    return f"JUMIN_{user.removeprefix('jumin_').upper()}_AMQP_PASSWORD"


@dataclass(frozen=True)
class Recipient:
    """One authorised recipient of registry events and the service (broker user) consuming them.

    `partitions == 0` means one queue `<name>.events`; `partitions >= 1` is scale-out mode:
    a consistent-hash exchange `<name>.partition` feeds `<name>.events.p0` … `p<N-1>`.
    """

    name: str
    user: str
    partitions: int = 0

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
        """The queues the service consumes from in the configured mode."""
        return self.partition_queues if self.partitions else (self.events_queue,)

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
    Recipient("cs", "jumin_cs_adapter"),
    Recipient("koseki", "jumin_koseki_adapter"),
    Recipient("moj", "jumin_moj_notify"),
    Recipient("intermediate", "jumin_intermediate_server"),
    Recipient("certificates", "jumin_certificates"),
)


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
                bindings += [
                    Binding(EVENTS_EXCHANGE, r.partition_exchange, r.routing_pattern, True),
                    Binding(r.redeliver_exchange, r.partition_exchange, "", True),
                ]
                bindings += [
                    Binding(r.partition_exchange, q, PARTITION_WEIGHT) for q in r.partition_queues
                ]
            else:
                bindings += [
                    Binding(EVENTS_EXCHANGE, r.events_queue, r.routing_pattern),
                    Binding(r.redeliver_exchange, r.events_queue, ""),
                ]
            bindings.append(Binding(DEAD_LETTER_EXCHANGE, r.dead_queue, r.routing_pattern))
            bindings += [
                Binding(RETRY_EXCHANGE, r.retry_queue(d), r.retry_queue(d))
                for d in self.retry_delays
            ]
        return tuple(bindings)

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
        adapter_write = _alternatives((COMMANDS_EXCHANGE, RETRY_EXCHANGE, DEAD_LETTER_EXCHANGE))
        for r in self.recipients:
            own = re.escape(r.name)
            users.append(
                BrokerUser(
                    r.user,
                    password_env_for(r.user),
                    Permissions(NOTHING, adapter_write, r.read_pattern),
                    (
                        TopicPermission(COMMANDS_EXCHANGE, rf"^{REGISTRY_ROUTING_PREFIX}\."),
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


def topology_from_env(environ: Mapping[str, str] | None = None) -> Topology:
    """The default topology, with the vhost from `JUMIN_AMQP_VHOST` and scale-out from
    `JUMIN_AMQP_PARTITIONS` (e.g. `cs=4`)."""
    env = os.environ if environ is None else environ
    topology = Topology(vhost=env.get(VHOST_ENV) or DEFAULT_VHOST)
    return topology.with_partitions(parse_partitions(env.get(PARTITIONS_ENV, "")))


# ================================================================================================
# Declaring over AMQP
# ================================================================================================


class TopologyError(RuntimeError):
    """The broker refused the topology (typically: a queue exists with other arguments)."""


def vhost_of(amqp_url: str) -> str:
    """The virtual host an AMQP URL points at (`amqp://h/` and `amqp://h` mean `/`)."""
    path = urlsplit(amqp_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


async def declare(topology: Topology, amqp_url: str) -> None:
    """Declare every exchange, queue and binding (idempotent), as a user allowed to configure them.

    Raises `TopologyError` when an existing entity has other arguments: RabbitMQ never changes a
    queue's arguments, so such a queue has to be drained and deleted by an operator first.
    """
    if vhost_of(amqp_url) != topology.vhost:
        raise ValueError(
            f"AMQP URL points at vhost {vhost_of(amqp_url)!r}, topology is for {topology.vhost!r}"
        )
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=False)
        exchanges: dict[str, aio_pika.abc.AbstractExchange] = {}
        queues: dict[str, aio_pika.abc.AbstractQueue] = {}
        entity = ""
        try:
            for x in topology.exchanges():
                entity = f"exchange {x.name}"
                exchanges[x.name] = await channel.declare_exchange(
                    x.name,
                    x.type.value,
                    durable=True,
                    internal=x.internal,
                    arguments=dict(x.arguments),
                )
            for q in topology.queues():
                entity = f"queue {q.name}"
                queues[q.name] = await channel.declare_queue(
                    q.name, durable=True, arguments=dict(q.arguments)
                )
        except ChannelPreconditionFailed as exc:
            raise TopologyError(
                f"{entity} in vhost {topology.vhost} exists with other settings ({exc}); "
                "drain and delete it, then declare again"
            ) from exc
        for b in topology.bindings():
            if b.to_exchange:
                await exchanges[b.destination].bind(exchanges[b.source], b.routing_key)
            else:
                await queues[b.destination].bind(exchanges[b.source], b.routing_key)
        await _remove_stale_bindings(connection, topology)


async def _remove_stale_bindings(
    connection: aio_pika.abc.AbstractConnection, topology: Topology
) -> None:
    """Unbind what belongs to a recipient's other scale-out mode or to partitions beyond N."""
    for r in topology.recipients:
        for b in topology.other_mode_bindings(r):
            if await _exists(connection, b.destination, exchange=b.to_exchange):
                await _unbind(connection, b)
        if r.partitions and await _exists(connection, r.partition_exchange, exchange=True):
            index = r.partitions
            while await _exists(connection, r.partition_queue(index), exchange=False):
                stale = Binding(r.partition_exchange, r.partition_queue(index), PARTITION_WEIGHT)
                await _unbind(connection, stale)
                index += 1


async def _exists(
    connection: aio_pika.abc.AbstractConnection, name: str, *, exchange: bool
) -> bool:
    # A failed passive declare closes its channel: use a throwaway one.
    channel = await connection.channel(publisher_confirms=False)
    try:
        if exchange:
            await channel.get_exchange(name, ensure=True)
        else:
            await channel.get_queue(name, ensure=True)
    except ChannelNotFoundEntity:
        return False
    finally:
        if not channel.is_closed:
            await channel.close()
    return True


async def _unbind(connection: aio_pika.abc.AbstractConnection, binding: Binding) -> None:
    # Unbinding a binding that does not exist is a no-op in RabbitMQ; both ends must exist.
    channel = await connection.channel(publisher_confirms=False)
    try:
        source = await channel.get_exchange(binding.source, ensure=False)
        if binding.to_exchange:
            destination = await channel.get_exchange(binding.destination, ensure=False)
            await destination.unbind(source, binding.routing_key)
        else:
            queue = await channel.get_queue(binding.destination, ensure=False)
            await queue.unbind(source, binding.routing_key)
    finally:
        await channel.close()


# ================================================================================================
# Users and permissions with rabbitmqctl
# ================================================================================================

#: Runs one rabbitmqctl command line (prefix + arguments) and returns its standard output.
Runner = Callable[[Sequence[str]], str]


def run_command(argv: Sequence[str]) -> str:
    """Default runner: subprocess, raising with rabbitmqctl's own message on failure."""
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # argv may hold a password (add_user/change_password): name the command only.
        command = argv[argv.index("-q") + 1] if "-q" in argv else "rabbitmqctl"
        raise RuntimeError(
            f"rabbitmqctl {command} failed ({done.returncode}): {done.stderr.strip()}"
        )
    return done.stdout


def check_password(user: str, password: str) -> None:
    """Debian's rabbitmqctl wrapper re-parses arguments with `su -c "…"`: `$`, backtick and
    backslash would be mangled (and could run commands). Refuse them, as provision.sh does."""
    if not password:
        raise ValueError(f"empty AMQP password for {user}")
    if any(c in password for c in "$`\\"):
        raise ValueError(f"AMQP password of {user} must not contain $, ` or \\")


def check_pattern(pattern: str) -> None:
    """A permission regex must survive the same `su -c "…"` re-parse unchanged."""
    bad = "`" in pattern or "\\\\" in pattern or re.search(r"\$(?![|)]|$)", pattern)
    if bad:
        raise ValueError(
            f"permission regex {pattern!r} would be mangled by the rabbitmqctl wrapper"
        )


@dataclass(frozen=True)
class ProvisionReport:
    """What `provision_users` did, for the log (never holds a password)."""

    created: tuple[str, ...]
    updated_permissions: tuple[str, ...]
    #: users with permissions on the vhost that the topology does not know
    unmanaged: tuple[str, ...]

    def lines(self) -> Iterator[str]:
        if self.created:
            yield "created users: " + ", ".join(self.created)
        if self.updated_permissions:
            yield "set permissions for: " + ", ".join(self.updated_permissions)
        if self.unmanaged:
            yield "WARNING: users not in the topology have permissions on the vhost: " + ", ".join(
                self.unmanaged
            )


def provision_users(
    topology: Topology,
    rabbitmqctl: Sequence[str] = ("rabbitmqctl",),
    *,
    environ: Mapping[str, str] | None = None,
    runner: Runner = run_command,
) -> ProvisionReport:
    """Create/update every broker user of the topology and set its permissions on the vhost.

    Idempotent: existing users get their password re-synced to the environment
    (`JUMIN_<SERVICE>_AMQP_PASSWORD`, default the user name; admin: `JUMIN_AMQP_ADMIN_PASSWORD`),
    tags cleared, and only differing permissions rewritten. Topic permissions on exchanges the
    topology no longer names are cleared. The vhost must exist. Users are handled in parallel
    (each rabbitmqctl call costs most of a second).
    """
    prefix = list(rabbitmqctl)
    users = topology.users()
    passwords = {u.name: u.password(environ) for u in users}
    for user in users:
        check_password(user.name, passwords[user.name])
        perms = [user.permissions.configure, user.permissions.write, user.permissions.read]
        for pattern in perms + [p for t in user.topic_permissions for p in (t.write, t.read)]:
            check_pattern(pattern)

    def ctl(*args: str) -> str:
        return runner([*prefix, "-q", *args])

    def listing(*args: str) -> list[dict[str, object]]:
        text = ctl(*args, "--formatter", "json").strip()
        rows = json.loads(text) if text else []
        if not isinstance(rows, list):
            raise RuntimeError(f"unexpected rabbitmqctl output for {args[0]}")
        return [row for row in rows if isinstance(row, dict)]

    vhost = topology.vhost
    existing = {str(row["user"]): row.get("tags") or [] for row in listing("list_users")}
    current_perms = {
        str(row["user"]): Permissions(str(row["configure"]), str(row["write"]), str(row["read"]))
        for row in listing("list_permissions", "-p", vhost)
    }
    current_topics: dict[str, dict[str, tuple[str, str]]] = {}
    for row in listing("list_topic_permissions", "-p", vhost):
        current_topics.setdefault(str(row["user"]), {})[str(row["exchange"])] = (
            str(row["write"]),
            str(row["read"]),
        )

    def provision(user: BrokerUser) -> tuple[bool, bool]:
        created = user.name not in existing
        if created:
            ctl("add_user", user.name, passwords[user.name])
        else:
            ctl("change_password", user.name, passwords[user.name])
        if existing.get(user.name):
            ctl("set_user_tags", user.name)  # no management/administrator tags for services
        changed = current_perms.get(user.name) != user.permissions
        if changed:
            p = user.permissions
            ctl("set_permissions", "-p", vhost, user.name, p.configure, p.write, p.read)
        have = current_topics.get(user.name, {})
        want = {t.exchange: (t.write, t.read) for t in user.topic_permissions}
        for exchange, (write, read) in want.items():
            if have.get(exchange) != (write, read):
                ctl("set_topic_permissions", "-p", vhost, user.name, exchange, write, read)
                changed = True
        for exchange in sorted(set(have) - set(want)):
            ctl("clear_topic_permissions", "-p", vhost, user.name, exchange)
            changed = True
        return created, changed

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        results = list(pool.map(provision, users))
    known = {u.name for u in users}
    return ProvisionReport(
        created=tuple(u.name for u, (c, _) in zip(users, results, strict=True) if c),
        updated_permissions=tuple(u.name for u, (_, p) in zip(users, results, strict=True) if p),
        unmanaged=tuple(sorted((set(current_perms) | set(current_topics)) - known)),
    )


def permission_matrix(topology: Topology) -> list[dict[str, str]]:
    """One row per (user, scope): the vhost permissions and each topic permission, for docs/CLI."""
    rows: list[dict[str, str]] = []
    for user in topology.users():
        p = user.permissions
        rows.append(
            {
                "user": user.name,
                "scope": f"vhost {topology.vhost}",
                "configure": p.configure,
                "write": p.write,
                "read": p.read,
            }
        )
        rows += [
            {
                "user": user.name,
                "scope": f"topic {t.exchange}",
                "configure": "",
                "write": t.write,
                "read": t.read,
            }
            for t in user.topic_permissions
        ]
    return rows
