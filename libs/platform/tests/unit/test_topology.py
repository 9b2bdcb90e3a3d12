"""The declarative broker topology: names, arguments, bindings, the permission matrix, provisioning.

RabbitMQ matches permission regexes with Erlang's `re:run`, i.e. a *search* anywhere in the name,
which `re.search` mirrors for these patterns. The real broker is exercised in
../integration/broker.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from jumin_contracts.commands import COMMAND_MODELS
from jumin_platform.topology import (
    ADMIN_PASSWORD_ENV,
    COMMANDS_EXCHANGE,
    DEAD_LETTER_EXCHANGE,
    DEFAULT_RETRY_DELAYS,
    EVENTS_EXCHANGE,
    NOTHING,
    PERSON_KEY_HEADER,
    REGISTRY_QUEUE,
    RETRY_EXCHANGE,
    ExchangeType,
    Permissions,
    Recipient,
    Topology,
    parse_partitions,
    parse_recipients,
    permission_matrix,
    topology_from_env,
    vhost_of,
)
from jumin_platform.topology.cli import admin_url, main

RECIPIENTS = ("cs", "koseki", "moj", "intermediate", "certificates", "witness")
SERVICE_USERS = {
    "cs": "jumin_cs_adapter",
    "koseki": "jumin_koseki_adapter",
    "moj": "jumin_moj_notify",
    "intermediate": "jumin_intermediate_server",
    "certificates": "jumin_certificates",
    "witness": "jumin_audit_witness",
}
CONSUMER_ARGS = {
    "x-queue-type": "quorum",
    "x-single-active-consumer": True,
    "x-delivery-limit": 10,
    "x-dead-letter-exchange": "jumin.dlx",
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}


def _names(topology: Topology) -> set[str]:
    return {x.name for x in topology.exchanges()} | {q.name for q in topology.queues()}


# ---- exchanges -----------------------------------------------------------------------------------
def test_shared_exchanges_are_durable_topics(topology: Topology) -> None:
    exchanges = {x.name: x for x in topology.exchanges()}
    for name in (EVENTS_EXCHANGE, COMMANDS_EXCHANGE, RETRY_EXCHANGE, DEAD_LETTER_EXCHANGE):
        assert exchanges[name].type is ExchangeType.TOPIC  # topic: topic permissions apply
        assert not exchanges[name].internal
    assert topology.vhost == "jumin"
    assert [r.name for r in topology.recipients] == list(RECIPIENTS)


def test_each_recipient_has_an_internal_redeliver_fanout(topology: Topology) -> None:
    exchanges = {x.name: x for x in topology.exchanges()}
    for name in RECIPIENTS:
        redeliver = exchanges[f"{name}.redeliver"]
        assert (redeliver.type, redeliver.internal) == (ExchangeType.FANOUT, True)
        assert f"{name}.partition" not in exchanges  # scale-out is off by default


def test_scale_out_adds_a_consistent_hash_exchange_on_the_person_key(scaled: Topology) -> None:
    exchanges = {x.name: x for x in scaled.exchanges()}
    partition = exchanges["cs.partition"]
    assert partition.type is ExchangeType.CONSISTENT_HASH
    assert partition.type.value == "x-consistent-hash"
    assert dict(partition.arguments) == {"hash-header": PERSON_KEY_HEADER}
    assert PERSON_KEY_HEADER == "person-key"
    assert partition.internal
    assert "koseki.partition" not in exchanges


# ---- queues --------------------------------------------------------------------------------------
def test_main_queues_are_single_active_consumer_quorum_queues(topology: Topology) -> None:
    queues = {q.name: dict(q.arguments) for q in topology.queues()}
    for name in RECIPIENTS:
        assert queues[f"{name}.events"] == CONSUMER_ARGS
        assert queues[f"{name}.dead"] == {"x-queue-type": "quorum"}
    assert queues[REGISTRY_QUEUE] == CONSUMER_ARGS
    assert queues["registry.dead"] == {"x-queue-type": "quorum"}
    assert all(args["x-queue-type"] == "quorum" for args in queues.values())


def test_retry_wait_queues_expire_back_through_the_redeliver_exchange(topology: Topology) -> None:
    queues = {q.name: dict(q.arguments) for q in topology.queues()}
    assert topology.retry_delays == (1, 10, 60)
    for name in RECIPIENTS:
        for delay in (1, 10, 60):
            assert queues[f"{name}.retry.{delay}s"] == {
                "x-queue-type": "quorum",
                "x-message-ttl": delay * 1000,
                "x-dead-letter-exchange": f"{name}.redeliver",
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            }


def test_scale_out_replaces_the_main_queue_by_partitions(scaled: Topology) -> None:
    queues = {q.name: dict(q.arguments) for q in scaled.queues()}
    assert "cs.events" not in queues
    for i in range(4):
        assert queues[f"cs.events.p{i}"] == CONSUMER_ARGS
    assert "cs.events.p4" not in queues
    assert queues["koseki.events"] == CONSUMER_ARGS
    # The wait queues do not depend on the mode (queue arguments can never change).
    plain = {q.name: dict(q.arguments) for q in Topology().queues()}
    assert queues["cs.retry.10s"] == plain["cs.retry.10s"]
    assert scaled.recipient("cs").consumer_queues == tuple(f"cs.events.p{i}" for i in range(4))


def test_delivery_limit_and_delays_are_configurable() -> None:
    topology = Topology(retry_delays=(5, 300), delivery_limit=3)
    queues = {q.name: dict(q.arguments) for q in topology.queues()}
    assert queues["cs.events"]["x-delivery-limit"] == 3
    assert queues["moj.retry.300s"]["x-message-ttl"] == 300_000
    assert "moj.retry.1s" not in queues


# ---- bindings ------------------------------------------------------------------------------------
def _binding_set(topology: Topology) -> set[tuple[str, str, str, bool]]:
    return {(b.source, b.destination, b.routing_key, b.to_exchange) for b in topology.bindings()}


def test_bindings_single_queue_mode(topology: Topology) -> None:
    bindings = _binding_set(topology)
    assert (COMMANDS_EXCHANGE, REGISTRY_QUEUE, "registry.#", False) in bindings
    assert (DEAD_LETTER_EXCHANGE, "registry.dead", "registry.#", False) in bindings
    for name in RECIPIENTS:
        assert (EVENTS_EXCHANGE, f"{name}.events", f"{name}.#", False) in bindings
        assert (f"{name}.redeliver", f"{name}.events", "", False) in bindings
        assert (DEAD_LETTER_EXCHANGE, f"{name}.dead", f"{name}.#", False) in bindings
        for delay in (1, 10, 60):
            key = f"{name}.retry.{delay}s"
            assert (RETRY_EXCHANGE, key, key, False) in bindings
    assert len(bindings) == len(topology.bindings())  # no duplicates


def test_bindings_scale_out_mode(scaled: Topology) -> None:
    bindings = _binding_set(scaled)
    assert (EVENTS_EXCHANGE, "cs.partition", "cs.#", True) in bindings
    assert (EVENTS_EXCHANGE, "cs.events", "cs.#", False) not in bindings
    assert ("cs.redeliver", "cs.partition", "", True) in bindings
    for i in range(4):
        assert ("cs.partition", f"cs.events.p{i}", "1", False) in bindings  # weight "1"
    assert scaled.other_mode_bindings(scaled.recipient("cs")) == tuple(
        b
        for b in Topology().bindings()
        if b.destination == "cs.events" and b.source in (EVENTS_EXCHANGE, "cs.redeliver")
    )


@pytest.mark.parametrize("partitions", [0, 1, 4, 16])
def test_every_binding_joins_declared_entities(partitions: int) -> None:
    topology = Topology().with_partitions(dict.fromkeys(RECIPIENTS, partitions))
    exchanges = {x.name for x in topology.exchanges()}
    queues = {q.name for q in topology.queues()}
    for b in topology.bindings():
        assert b.source in exchanges
        assert b.destination in (exchanges if b.to_exchange else queues)
    for q in topology.queues():
        dlx = q.arguments.get("x-dead-letter-exchange")
        assert dlx is None or dlx in exchanges
    assert len(queues) == len(topology.queues())


# ---- the permission matrix -----------------------------------------------------------------------
def _allows(pattern: str, name: str) -> bool:
    return re.search(pattern, name) is not None


def test_user_names_and_password_variables(topology: Topology) -> None:
    users = {u.name: u for u in topology.users()}
    assert set(users) == {"jumin_admin", "jumin_registry", *SERVICE_USERS.values()}
    assert users["jumin_admin"].password_env == ADMIN_PASSWORD_ENV == "JUMIN_AMQP_ADMIN_PASSWORD"
    assert users["jumin_registry"].password_env == "JUMIN_REGISTRY_AMQP_PASSWORD"
    assert users["jumin_cs_adapter"].password_env == "JUMIN_CS_ADAPTER_AMQP_PASSWORD"
    assert users["jumin_moj_notify"].password({"JUMIN_MOJ_NOTIFY_AMQP_PASSWORD": "s3cret"}) == (
        "s3cret"
    )
    for name, user in SERVICE_USERS.items():
        assert topology.recipient(name).user == user


def test_admin_has_everything_on_the_vhost_and_no_topic_limits(topology: Topology) -> None:
    admin = topology.user("jumin_admin")
    assert admin.permissions == Permissions(".*", ".*", ".*")
    assert admin.topic_permissions == ()


def test_registry_matrix_is_the_agreed_one(topology: Topology) -> None:
    registry = topology.user("jumin_registry")
    assert registry.permissions == Permissions("^$", r"^jumin\.events$", r"^registry\.in$")
    (topic,) = registry.topic_permissions
    assert topic.exchange == EVENTS_EXCHANGE
    assert topic.write == r"^(cs|koseki|moj|intermediate|certificates|witness)\."
    assert topic.read == NOTHING
    for key in ("cs.identity", "koseki.fuhyo_notice", "moj.municipal_notice",
                "intermediate.household_info", "certificates.record",
                "witness.checkpoint"):  # fmt: skip
        assert _allows(topic.write, key)
    for key in ("registry.assign", "evil.cs.identity", "cs", "csx.identity", ""):
        assert not _allows(topic.write, key)


@pytest.mark.parametrize("partitions", [0, 4])
def test_no_service_can_configure_anything(partitions: int) -> None:
    topology = Topology().with_partitions({"cs": partitions})
    for user in topology.users():
        if user.name == "jumin_admin":
            continue
        assert user.permissions.configure == NOTHING
        assert not any(_allows(NOTHING, name) for name in _names(topology))


@pytest.mark.parametrize("partitions", [0, 4])
def test_adapters_read_only_their_own_queues_and_no_exchange(partitions: int) -> None:
    topology = Topology().with_partitions(dict.fromkeys(RECIPIENTS, partitions))
    exchanges = {x.name for x in topology.exchanges()} | {"amq.default", "amq.topic"}
    queues = {q.name for q in topology.queues()}
    for recipient in topology.recipients:
        read = topology.user(recipient.user).permissions.read
        readable = {q for q in queues if _allows(read, q)}
        assert readable == {*recipient.consumer_queues, recipient.dead_queue}
        # No read on any exchange: binding *from* an exchange needs read on it.
        assert not any(_allows(read, x) for x in exchanges)


def test_adapters_write_only_retry_dead_letters_and_their_commands(topology: Topology) -> None:
    everything = _names(topology) | {"amq.default", "amq.topic", "amq.direct"}
    senders = {"cs", "koseki", "moj"}  # the services that send commands back to the registry
    for name in RECIPIENTS:
        write = topology.user(SERVICE_USERS[name]).permissions.write
        commands = {COMMANDS_EXCHANGE} if name in senders else set()
        assert {n for n in everything if _allows(write, n)} == {
            *commands,
            RETRY_EXCHANGE,
            DEAD_LETTER_EXCHANGE,
        }


def test_registry_reaches_only_jumin_events_and_registry_in(topology: Topology) -> None:
    registry = topology.user("jumin_registry").permissions
    everything = _names(topology) | {"amq.default"}
    assert {n for n in everything if _allows(registry.write, n)} == {EVENTS_EXCHANGE}
    assert {n for n in everything if _allows(registry.read, n)} == {REGISTRY_QUEUE}


OWN_COMMANDS = {
    "cs": {"registry.my_number_assigned", "registry.free_codes", "registry.move_in_notice"},
    "moj": {"registry.moj_notice"},
    "koseki": {
        "registry.koseki_record_notice",
        "registry.koseki_collation_notice",
        "registry.honseki_transfer_notice",
    },
}


def test_adapter_topic_permissions_cover_exactly_their_own_keys(topology: Topology) -> None:
    for recipient in topology.recipients:
        user = topology.user(recipient.user)
        topics = {t.exchange: t for t in user.topic_permissions}
        assert set(topics) == {COMMANDS_EXCHANGE, RETRY_EXCHANGE, DEAD_LETTER_EXCHANGE}
        assert all(t.read == NOTHING for t in topics.values())
        commands = {key for key in COMMAND_MODELS if _allows(topics[COMMANDS_EXCHANGE].write, key)}
        assert commands == OWN_COMMANDS.get(recipient.name, set()), recipient.name
        assert not _allows(topics[COMMANDS_EXCHANGE].write, f"{recipient.name}.identity")
        assert not _allows(topics[COMMANDS_EXCHANGE].write, "registry.my_number_assigned.x")
        for other in topology.recipients:
            own = other.name == recipient.name
            for delay in topology.retry_delays:
                key = other.retry_queue(delay)
                assert _allows(topics[RETRY_EXCHANGE].write, key) is own, (user.name, key)
            assert _allows(topics[DEAD_LETTER_EXCHANGE].write, f"{other.name}.x") is own


def test_permission_matrix_lists_every_user_and_topic(topology: Topology) -> None:
    rows = permission_matrix(topology)
    assert len(rows) == 8 + 1 + 6 * 3  # admin, registry and one user per recipient
    assert rows[0] == {
        "user": "jumin_admin",
        "scope": "vhost jumin",
        "configure": ".*",
        "write": ".*",
        "read": ".*",
    }


# ---- validation and configuration ----------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: Topology(recipients=(Recipient("cs", "a_user"), Recipient("cs", "b_user"))),
        lambda: Topology(recipients=(Recipient("CS", "a_user"),)),
        lambda: Topology(recipients=(Recipient("registry", "a_user"),)),
        lambda: Topology(recipients=(Recipient("cs", "jumin_registry"),)),
        lambda: Topology(recipients=(Recipient("cs", "a_user", partitions=-1),)),
        lambda: Topology(retry_delays=()),
        lambda: Topology(retry_delays=(0,)),
        lambda: Topology(retry_delays=(5, 5)),
        lambda: Topology(delivery_limit=0),
        lambda: Topology(vhost=""),
    ],
)
def test_bad_topologies_are_refused(make: Callable[[], Topology]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        make()


def test_partitions_from_spec_and_environment() -> None:
    assert parse_partitions("") == {}
    assert parse_partitions("cs=4, koseki=2") == {"cs": 4, "koseki": 2}
    with pytest.raises(ValueError, match="recipient=N"):
        parse_partitions("cs")
    with pytest.raises(KeyError):
        Topology().with_partitions({"nobody": 2})
    env = {"JUMIN_AMQP_VHOST": "jumin_other", "JUMIN_AMQP_PARTITIONS": "moj=3"}
    topology = topology_from_env(env)
    assert topology.vhost == "jumin_other"
    assert topology.recipient("moj").partitions == 3
    assert topology_from_env({}) == Topology()


def test_vhost_of_urls_and_admin_url() -> None:
    assert vhost_of("amqp://u:p@h:5672/jumin") == "jumin"
    assert vhost_of("amqp://u:p@h:5672/%2F") == "/"
    assert vhost_of("amqp://h") == "/"
    url = admin_url(
        Topology(), {"JUMIN_AMQP_ADMIN_PASSWORD": "p@ss:w/rd", "JUMIN_AMQP_PORT": "5673"}
    )
    assert url == "amqp://jumin_admin:p%40ss%3Aw%2Frd@127.0.0.1:5673/jumin"


async def test_declare_refuses_a_url_for_another_vhost() -> None:
    from jumin_platform.topology import declare

    with pytest.raises(ValueError, match="vhost"):
        await declare(Topology(), "amqp://jumin_admin:x@127.0.0.1:5672/other")


def test_cli_show_prints_the_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--partitions", "cs=2", "show", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["user"] for r in rows} == {"jumin_admin", "jumin_registry", *SERVICE_USERS.values()}
    assert main(["--partitions", "nobody=2", "show"]) == 1


# ---- partition assignment (one replica of an adapter per set of partitions) ----------------------
def test_a_replica_consumes_only_its_assigned_partitions() -> None:
    cs = Topology().with_partitions({"cs": 4}).recipients[0]
    assert cs.consumer_queues == ("cs.events.p0", "cs.events.p1", "cs.events.p2", "cs.events.p3")
    assert cs.assign([3, 1]).consumer_queues == ("cs.events.p1", "cs.events.p3")
    assert cs.assign(None).consumer_queues == cs.consumer_queues


@pytest.mark.parametrize("partitions", [[], [4], [-1]])
def test_assigning_partitions_outside_the_ring_is_refused(partitions: list[int]) -> None:
    cs = Topology().with_partitions({"cs": 4}).recipients[0]
    with pytest.raises(ValueError, match=r"partitions of cs are 0\.\.3"):
        cs.assign(partitions)


def test_partitions_cannot_be_assigned_without_scale_out() -> None:
    with pytest.raises(ValueError, match="not in scale-out mode"):
        Topology().recipients[0].assign([0])


# ---- back-off steps from the environment -----------------------------------------------------
def test_retry_delays_come_from_the_environment_and_name_the_wait_queues() -> None:
    topology = topology_from_env({"JUMIN_AMQP_RETRY_DELAYS": "1, 2,3"})
    assert topology.retry_delays == (1, 2, 3)
    cs_waits = {q.name for q in topology.queues() if q.name.startswith("cs.retry.")}
    assert cs_waits == {"cs.retry.1s", "cs.retry.2s", "cs.retry.3s"}
    assert topology_from_env({}).retry_delays == DEFAULT_RETRY_DELAYS


@pytest.mark.parametrize("spec", ["1,x", "1,,2", "-1", "1.5"])
def test_bad_retry_delays_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="bad retry delays"):
        topology_from_env({"JUMIN_AMQP_RETRY_DELAYS": spec})


# ---- recipients whose service does not exist yet -------------------------------------------------
def test_only_recipients_with_a_service_are_routed_by_default() -> None:
    topology = Topology()
    assert topology.routed_recipients == {"cs", "koseki", "moj", "witness"}
    events = {
        (b.destination, b.routing_key) for b in topology.bindings() if b.source == EVENTS_EXCHANGE
    }
    assert events == {
        ("cs.events", "cs.#"),
        ("koseki.events", "koseki.#"),
        ("moj.events", "moj.#"),
        ("witness.events", "witness.#"),
    }
    # Their queues, users and permissions stay: a service built later finds them ready.
    assert {"intermediate.events", "certificates.events"} <= {q.name for q in topology.queues()}
    assert (
        topology.user("jumin_intermediate_server").permissions
        == Topology().with_all_routed().user("jumin_intermediate_server").permissions
    )


@pytest.mark.parametrize("partitions", [0, 2])
def test_declare_removes_the_events_binding_of_an_unrouted_recipient(partitions: int) -> None:
    topology = Topology().with_partitions({"intermediate": partitions})
    intermediate = topology.recipient("intermediate")
    destination = intermediate.partition_exchange if partitions else intermediate.events_queue
    assert (EVENTS_EXCHANGE, destination, "intermediate.#") in {
        (b.source, b.destination, b.routing_key) for b in topology.stale_bindings(intermediate)
    }
    routed = topology.with_all_routed()
    assert routed.stale_bindings(routed.recipient("intermediate")) == routed.other_mode_bindings(
        routed.recipient("intermediate")
    )


def test_routed_recipients_come_from_the_environment() -> None:
    assert topology_from_env({"JUMIN_AMQP_RECIPIENTS": "cs, koseki"}).routed_recipients == {
        "cs",
        "koseki",
    }
    assert topology_from_env({}).routed_recipients == {"cs", "koseki", "moj", "witness"}
    with pytest.raises(KeyError):
        topology_from_env({"JUMIN_AMQP_RECIPIENTS": "cs,nobody"})
    with pytest.raises(ValueError, match="bad recipient name"):
        parse_recipients("cs,Kos eki")
