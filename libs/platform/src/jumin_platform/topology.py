"""Jumin's RabbitMQ topology, described once: exchanges, queues, bindings, users and permissions.

One frozen `Topology` value describes the virtual host (`jumin` by default). From it:

- `declare(topology, amqp_url)` declares every exchange, queue and binding over AMQP with the
  vhost's admin user (`jumin_admin`). Idempotent; it also removes the bindings of the *other*
  scale-out mode, so switching a recipient between one queue and N partitions re-routes new
  messages (the old queues are left to drain, never deleted).
- `provision_users(topology, rabbitmqctl)` creates the broker users (one per service plus the admin),
  syncs their passwords to the environment and sets vhost and topic permissions with `rabbitmqctl`.

Routing (see docs/architecture.md, "Messaging"):

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

The definitions live in private sibling modules: `_topology_entities` (names and entities),
`_topology_layout` (`Topology`), `_topology_declare` (AMQP) and `_topology_users` (rabbitmqctl).
Import them from here.
"""

from __future__ import annotations

from jumin_platform._topology_declare import (
    TopologyError,
    declare,
    vhost_of,
)
from jumin_platform._topology_entities import (
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
    PARTITIONS_ENV,
    PERSON_KEY_HEADER,
    REGISTRY_DEAD_QUEUE,
    REGISTRY_QUEUE,
    REGISTRY_ROUTING_PREFIX,
    REGISTRY_USER,
    RETRY_DELAYS_ENV,
    RETRY_EXCHANGE,
    VHOST_ENV,
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
from jumin_platform._topology_layout import (
    Topology,
    parse_partitions,
    parse_retry_delays,
    topology_from_env,
)
from jumin_platform._topology_users import (
    ProvisionReport,
    Runner,
    check_password,
    check_pattern,
    permission_matrix,
    provision_users,
    run_command,
)

__all__ = [
    "ADMIN_PASSWORD_ENV",
    "ADMIN_USER",
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
    "ArgumentValue",
    "Binding",
    "BrokerUser",
    "Exchange",
    "ExchangeType",
    "Permissions",
    "ProvisionReport",
    "Queue",
    "Recipient",
    "Runner",
    "TopicPermission",
    "Topology",
    "TopologyError",
    "check_password",
    "check_pattern",
    "declare",
    "parse_partitions",
    "parse_retry_delays",
    "password_env_for",
    "permission_matrix",
    "provision_users",
    "run_command",
    "topology_from_env",
    "vhost_of",
]
