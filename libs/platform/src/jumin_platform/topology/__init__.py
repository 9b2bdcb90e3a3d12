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

The definitions live in the package's modules: `entities` (names and entities), `layout`
(`Topology`), `amqp` (declaring over AMQP) and `users` (rabbitmqctl); `cli` is the command line.
Import them from here.
"""

from __future__ import annotations

# Each module lists its public names once, in its `__all__`; the package re-exports them all.
from jumin_platform.topology import amqp, entities, layout, settings, users
from jumin_platform.topology.amqp import *  # noqa: F403
from jumin_platform.topology.entities import *  # noqa: F403
from jumin_platform.topology.layout import *  # noqa: F403
from jumin_platform.topology.settings import *  # noqa: F403
from jumin_platform.topology.users import *  # noqa: F403

__all__ = []
__all__ += amqp.__all__
__all__ += entities.__all__
__all__ += layout.__all__
__all__ += settings.__all__
__all__ += users.__all__
