"""The outbox relay under real failures: SIGKILL, a RabbitMQ restart, a PostgreSQL restart.

Each test approves ~300 changes through the registry's API (in this process, on the database the
environment names — run it with deploy/local/with-env.sh on a *test* database) while the relay runs
as a real subprocess (`uv run jumin-registry relay`). In the middle of that stream one thing fails:

- the relay is SIGKILLed (the whole process group) and started again;
- RabbitMQ's application is stopped and started (`rabbitmqctl stop_app` / `start_app`);
- the PostgreSQL cluster is restarted (`pg_ctlcluster --skip-systemctl-redirect <v> main restart`).

Afterwards every outbox row must be marked published, every event id must have arrived at least
once, and per (recipient, person key) the first copies of the messages must arrive in seq order.
What arrived is read from a private durable quorum queue bound to every key of `jumin.events`
(the recipients' own queues are shared with other test sessions on the vhost, which purge and
consume them). It is read only after the stream has drained, so its order *is* the arrival order.

These tests restart shared services. Each restores what it stopped in a `finally` and waits until
the service answers again. They need root (or passwordless sudo) for rabbitmqctl and pg_ctlcluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import time
import traceback
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import UUID

import aio_pika
import aio_pika.abc
import asyncpg
import httpx
import pytest
from jumin_contracts.check_digits import juminhyo_code_check_digit
from jumin_contracts.envelope import Envelope
from jumin_platform.devkeys import issue_token
from jumin_platform.topology import EVENTS_EXCHANGE, Topology
from registry.config import Settings
from registry.entrypoints.api.app import create_app

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "jumin_admin"
PEOPLE = 30  # each moves in, then moves back and forth within the ward
CHANGES = 300
STRIKE_AFTER = 80  # approved changes before the failure
PACE_SECONDS = 0.015  # between approvals: the stream lasts ~10 s
RELAY_BATCH = 10  # small batches: more of them, so a failure is likelier to hit one mid-flight
RELAY_POLL = 0.5
ADDRESSES = ("西新宿二丁目8番1号", "大久保三丁目14番4号")
INSIDE_HONSEKI = "東京都新宿区西新宿二丁目8番地"
OUTSIDE_HONSEKI = "大阪府大阪市北区中之島一丁目3番地"
GIVEN_NAMES = (
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("次郎", "ジロウ"),
    ("三郎", "サブロウ"),
    ("春子", "ハルコ"),
)
TABLES = (
    "registry.resident_current, registry.resident_history, registry.households, "
    "registry.support_measures, registry.outbox_sequences, registry.changes"
)


# ---- shell ---------------------------------------------------------------------------------------
def privileged(*argv: str) -> list[str]:
    """Run as root: directly when we are root, else through passwordless sudo."""
    return list(argv) if os.geteuid() == 0 else ["sudo", "-n", "--", *argv]


async def command(*argv: str, within: float = 60.0) -> tuple[int, str]:
    """Run a command; return its exit status and output; kill it on timeout."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), within)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, out.decode(errors="replace")


async def sh(*argv: str, within: float = 60.0) -> str:
    """Run a command; return its output; raise on failure or timeout."""
    status, text = await command(*argv, within=within)
    if status != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {status}: {text}")
    return text


# ---- the environment -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Env:
    """Where the services are and how to reach them as which user."""

    settings: Settings
    tmp: Path

    @property
    def owner_dsn(self) -> str:
        return self.settings.migration_database_url.get_secret_value()

    def amqp_url(self, user: str) -> str:
        parts = urlsplit(self.settings.amqp_url.get_secret_value())
        password = Topology().user(user).password()
        netloc = (
            f"{quote(user, safe='')}:{quote(password, safe='')}"
            f"@{parts.hostname or '127.0.0.1'}:{parts.port or 5672}"
        )
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    @property
    def amqp_host(self) -> str:
        return urlsplit(self.settings.amqp_url.get_secret_value()).hostname or "127.0.0.1"

    @property
    def amqp_port(self) -> int:
        return urlsplit(self.settings.amqp_url.get_secret_value()).port or 5672

    @property
    def pg_port(self) -> int:
        return urlsplit(self.settings.database_url.get_secret_value()).port or 5432


async def postgres_answers(dsn: str) -> bool:
    try:
        connection = await asyncpg.connect(dsn, timeout=2)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
        return False
    await connection.close()
    return True


async def rabbitmq_answers(url: str) -> bool:
    try:
        connection = await asyncio.wait_for(aio_pika.connect(url), 3)
    except Exception:
        return False
    await connection.close()
    return True


async def port_closed(host: str, port: int) -> bool:
    """True when nothing accepts TCP connections on host:port."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except (OSError, TimeoutError):
        return True
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return False


async def until(check: Callable[[], Awaitable[bool]], what: str, within: float) -> float:
    """Poll an async check until it holds; return the seconds it took."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > within:
            raise TimeoutError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def postgres_cluster(port: int) -> tuple[str, str]:
    """The (version, name) of the local cluster listening on the port (pg_lsclusters)."""
    for line in (await sh("pg_lsclusters", "-h")).splitlines():
        version, name, cluster_port, *_ = line.split()
        if int(cluster_port) == port:
            return version, name
    raise RuntimeError(f"no local PostgreSQL cluster on port {port}")


@pytest.fixture
async def env(tmp_path: Path) -> Env:
    """The test's settings, a *test* database emptied, the services answering."""
    for tool in ("rabbitmqctl", "pg_ctlcluster", "pg_lsclusters", "uv"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed here")
    if os.geteuid() != 0 and (await command("sudo", "-n", "true"))[0] != 0:
        pytest.fail("needs root or passwordless sudo for rabbitmqctl and pg_ctlcluster")
    here = Env(settings=Settings(), tmp=tmp_path)
    if "test" not in urlsplit(here.owner_dsn).path:
        pytest.fail("chaos tests run only against a *test* database (deploy/local/with-env.sh)")
    await until(lambda: postgres_answers(here.owner_dsn), "PostgreSQL", 30)
    await until(lambda: rabbitmq_answers(here.amqp_url(ADMIN)), "RabbitMQ", 60)
    connection = await asyncpg.connect(here.owner_dsn)
    try:
        await connection.execute(f"TRUNCATE {TABLES} CASCADE")
    finally:
        await connection.close()
    return here


# ---- the relay process ---------------------------------------------------------------------------
class RelayProcess:
    """`uv run jumin-registry relay` in its own process group (so a kill reaches python, not uv)."""

    def __init__(self, env: Env) -> None:
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None
        self.log = env.tmp / "relay.log"
        self.starts = 0

    def start(self) -> None:
        environ = {
            **os.environ,
            "JUMIN_REGISTRY_RELAY_BATCH_SIZE": str(RELAY_BATCH),
            "JUMIN_REGISTRY_RELAY_POLL_SECONDS": str(RELAY_POLL),
            "JUMIN_TRACE_DIR": str(self._env.tmp / "traces"),
        }
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                ["uv", "run", "--no-sync", "jumin-registry", "relay"],
                cwd=ROOT,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def _signal(self, sig: signal.Signals) -> None:
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, sig)  # the group we made: uv and its python child

    def kill(self) -> None:
        """SIGKILL: no clean-up, no closing handshake with PostgreSQL or RabbitMQ."""
        self._signal(signal.SIGKILL)
        if self._process is not None:
            self._process.wait(timeout=10)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)
        if self._process is not None:
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


# ---- the stream of approvals ---------------------------------------------------------------------
class RegistryApi:
    """The registry API served in this process, as a clerk and a reviewer."""

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self._http = http
        key = settings.jwt_private_key_file.read_text()

        def bearer(sub: str, role: str) -> str:
            token = issue_token(
                private_key_pem=key,
                sub=sub,
                roles=[role],
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
            )
            return f"Bearer {token}"

        self._clerk = {"Authorization": bearer("clerk01", "clerk"), "X-Jumin-Terminal": "chaos-01"}
        self._reviewer = {
            "Authorization": bearer("reviewer01", "reviewer"),
            "X-Jumin-Terminal": "chaos-01",
        }

    async def submit(self, body: dict[str, Any]) -> str:
        response = await self._http.post("/changes", json=body, headers=self._clerk)
        if response.status_code != 201:
            raise Unavailable(response.status_code, response.text)
        change_id: str = response.json()["change_id"]
        return change_id

    async def approve(self, change_id: str) -> list[str]:
        response = await self._http.post(f"/changes/{change_id}/approve", headers=self._reviewer)
        if response.status_code == 409:  # an earlier attempt committed before its answer was lost
            response = await self._http.get(f"/changes/{change_id}", headers=self._reviewer)
            if response.status_code == 200 and response.json()["status"] != "approved":
                raise AssertionError(f"change {change_id} is {response.json()['status']}")
        if response.status_code != 200:
            raise Unavailable(response.status_code, response.text)
        subjects: list[str] = response.json()["subjects"]
        return subjects


class Unavailable(Exception):
    """A request failed for a reason worth retrying (the database is restarting)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"{status}: {text[:300]}")
        self.status = status


@asynccontextmanager
async def registry_api(settings: Settings) -> AsyncIterator[RegistryApi]:
    """Serve the API in this process; its shutdown may not hang the test (see below)."""
    app = create_app(settings)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            yield RegistryApi(http, settings)
    finally:
        try:
            await asyncio.wait_for(lifespan.__aexit__(None, None, None), 10)
        except TimeoutError:
            # Seen once after a PostgreSQL restart: asyncpg's pool.close() waited forever for a
            # connection still marked in use. The relay is not involved; do not hang on it.
            print("WARNING: the registry API's pool did not close within 10 s; terminated")
            app.state.registry.pool.terminate()


def juminhyo_code(body: str) -> str:
    """A valid 住民票コード: ten digits and their check digit."""
    return body + juminhyo_code_check_digit(body)


def change_body(n: int, atena_nos: list[str]) -> dict[str, Any]:
    """Change n of the stream: first PEOPLE 国内転入 (one person each), then 転居 round robin."""
    if n < PEOPLE:
        given, kana = GIVEN_NAMES[n % len(GIVEN_NAMES)]
        return {
            "kind": "domestic_move_in",
            "occurred_on": "2024-04-01",
            "notified_on": "2024-04-05",
            "persons": [
                {
                    "resident_type": "japanese",
                    "family_name": "山田",
                    "given_name": given,
                    "family_name_kana": "ヤマダ",
                    "given_name_kana": kana,
                    "birth_date": (date(1960, 1, 15) + timedelta(days=400 * n)).isoformat(),
                    "sex": "male",
                    "relationship": "世帯主",
                    # half are 管内本籍 (戸籍附票 messages), half 管外 (CS 附票通知)
                    "honseki": INSIDE_HONSEKI if n % 2 == 0 else OUTSIDE_HONSEKI,
                    "hittosha": f"山田{given}",
                    # the code a 転入 brings: CS hears only of a person who has one
                    "juminhyo_code": juminhyo_code(f"4{n:09d}"),
                }
            ],
            "address": ADDRESSES[0],
            "previous_address": "埼玉県川口市本町一丁目1番1号",
        }
    round_, who = divmod(n - PEOPLE, PEOPLE)
    day = (date(2025, 1, 1) + timedelta(days=round_)).isoformat()
    return {
        "kind": "move_within_ward",
        "occurred_on": day,
        "notified_on": day,
        "atena_nos": [atena_nos[who]],
        "address": ADDRESSES[(round_ + 1) % 2],
    }


@dataclass
class Stream:
    """Approve CHANGES changes one after another, retrying through a database restart."""

    settings: Settings
    approved: int = 0
    retries: int = 0
    stopping: bool = False
    atena_nos: list[str] = field(default_factory=list)

    async def run(self) -> None:
        async with registry_api(self.settings) as api:
            for n in range(CHANGES):
                if self.stopping:
                    return
                body = change_body(n, self.atena_nos)
                change_id: str = await self._retry(api.submit, body)
                subjects: list[str] = await self._retry(api.approve, change_id)
                if n < PEOPLE:
                    self.atena_nos.extend(subjects)
                self.approved += 1
                await asyncio.sleep(PACE_SECONDS)

    async def _retry(self, step: Callable[[Any], Awaitable[Any]], argument: Any) -> Any:
        deadline = time.monotonic() + 30
        while True:
            try:
                return await asyncio.wait_for(step(argument), 15)
            except (
                Unavailable,
                OSError,
                TimeoutError,
                asyncpg.PostgresError,
                asyncpg.InterfaceError,
            ) as exc:
                if isinstance(exc, Unavailable) and exc.status < 500:
                    raise
                if time.monotonic() > deadline:
                    raise
                self.retries += 1
                await asyncio.sleep(0.2)


# ---- the outbox and the queues -------------------------------------------------------------------
async def outbox_counts(dsn: str) -> tuple[int, int]:
    """(rows, published rows), or (-1, -1) while the database does not answer."""
    try:
        connection = await asyncpg.connect(dsn, timeout=2)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
        return -1, -1
    try:
        record = await connection.fetchrow(
            "SELECT count(*) AS n, count(published_at) AS published FROM registry.outbox"
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return -1, -1
    finally:
        with contextlib.suppress(Exception):
            await connection.close()
    assert record is not None
    return record["n"], record["published"]


async def outbox(dsn: str) -> list[Any]:
    connection = await asyncpg.connect(dsn)
    try:
        rows: list[Any] = await connection.fetch(
            "SELECT event_id, change_id, recipient, person_key, seq, published_at"
            "  FROM registry.outbox ORDER BY id"
        )
        return rows
    finally:
        await connection.close()


@dataclass(frozen=True)
class Arrival:
    recipient: str  # from the routing key <recipient>.<message>
    message_id: str | None
    envelope: Envelope


@asynccontextmanager
async def observer(env: Env) -> AsyncIterator[str]:
    """A private durable quorum queue bound to every key of jumin.events, deleted afterwards.

    The recipients' own queues are shared by every test session on the vhost (they purge and
    consume them); this queue sees the same publications in the same order and nobody else reads
    it. Being durable and quorum, it keeps its persistent messages through a broker restart.
    """
    name = f"chaos.relay.{secrets.token_hex(4)}"
    connection = await aio_pika.connect(env.amqp_url(ADMIN))
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(
            name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(EVENTS_EXCHANGE, routing_key="#")
    finally:
        await connection.close()
    try:
        yield name
    finally:
        await until(lambda: rabbitmq_answers(env.amqp_url(ADMIN)), "RabbitMQ", 60)
        connection = await aio_pika.connect(env.amqp_url(ADMIN))
        try:
            channel = await connection.channel()
            await channel.queue_delete(name)
        finally:
            await connection.close()


async def drain(env: Env, queue_name: str, expected: set[UUID], within: float) -> list[Arrival]:
    """Read the observer queue in order until every expected event id came; return arrivals."""
    arrivals: list[Arrival] = []
    connection = await aio_pika.connect(env.amqp_url(ADMIN))
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=500)
        queue = await channel.get_queue(queue_name, ensure=False)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            with contextlib.suppress(ValueError):  # another session's message, maybe not ours
                envelope = Envelope.model_validate_json(message.body)
                if envelope.event_id in expected:
                    recipient = (message.routing_key or "").split(".")[0]
                    arrivals.append(Arrival(recipient, message.message_id, envelope))
            await message.ack()

        await queue.consume(on_message)

        async def complete() -> bool:
            return expected <= {a.envelope.event_id for a in arrivals}

        await until(complete, "every event id to arrive", within)
        await asyncio.sleep(0.5)  # let trailing duplicates in too
    finally:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(connection.close(), 10)
    return arrivals


@dataclass(frozen=True)
class Outcome:
    rows: int
    messages: int
    duplicates: int
    relay_starts: int
    stream_retries: int


def check_delivery(rows: list[Any], arrivals: list[Arrival]) -> tuple[int, int]:
    """Every row published and delivered; first copies in seq order per (recipient, person)."""
    unpublished = [r["event_id"] for r in rows if r["published_at"] is None]
    assert not unpublished, f"{len(unpublished)} outbox rows never marked published"
    row_of = {r["event_id"]: r for r in rows}
    missing = set(row_of) - {a.envelope.event_id for a in arrivals}
    assert not missing, f"{len(missing)} event ids never arrived"
    seqs_expected: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        seqs_expected[row["recipient"], row["person_key"]].append(row["seq"])
    seen: set[UUID] = set()
    order: dict[tuple[str, str], list[int]] = defaultdict(list)
    duplicates = 0
    for arrival in arrivals:
        envelope = arrival.envelope
        row = row_of[envelope.event_id]
        assert arrival.message_id == str(envelope.event_id)
        assert (arrival.recipient, envelope.person_key, envelope.seq) == (
            row["recipient"],
            row["person_key"],
            row["seq"],
        )
        if envelope.event_id in seen:
            duplicates += 1
            continue
        seen.add(envelope.event_id)
        order[arrival.recipient, envelope.person_key].append(envelope.seq)
    for key, seqs in order.items():
        assert seqs == sorted(seqs_expected[key]), f"{key}: first copies arrived as seq {seqs}"
    return len(arrivals), duplicates


Strike = Callable[[Env, RelayProcess, "Stream"], Awaitable[None]]


async def stream_through(env: Env, strike: Strike) -> Outcome:
    """Approve the stream with the relay running; strike once in the middle; check delivery."""
    async with observer(env) as queue_name:
        return await _stream_through(env, strike, queue_name)


async def _stream_through(env: Env, strike: Strike, queue_name: str) -> Outcome:
    relay = RelayProcess(env)
    stream = Stream(env.settings)
    producer = asyncio.create_task(stream.run())
    try:
        relay.start()

        async def ripe() -> bool:
            if producer.done():
                producer.result()
                raise AssertionError("the stream ended before the strike")
            if stream.approved < STRIKE_AFTER:
                return False
            rows, published = await outbox_counts(env.owner_dsn)
            return 0 < published < rows  # the relay is publishing and has work left

        await until(ripe, "the relay to be mid-stream", 30)
        await strike(env, relay, stream)

        await asyncio.wait_for(producer, 45)
        assert stream.approved == CHANGES

        async def drained() -> bool:
            rows, published = await outbox_counts(env.owner_dsn)
            return rows > 0 and rows == published

        await until(drained, "every outbox row published", 30)
        rows = await outbox(env.owner_dsn)
        arrivals = await drain(env, queue_name, {row["event_id"] for row in rows}, 30)
    except BaseException:
        traceback.print_exc()
        print(f"relay log ({relay.log}):\n{relay.tail()}")
        raise
    finally:
        stream.stopping = True
        await asyncio.wait({producer}, timeout=10)
        if not producer.done():
            producer.cancel()
            await asyncio.wait({producer}, timeout=10)
        relay.stop()
    assert len({row["change_id"] for row in rows}) == CHANGES
    messages, duplicates = check_delivery(rows, arrivals)
    outcome = Outcome(len(rows), messages, duplicates, relay.starts, stream.retries)
    print(outcome)
    return outcome


# ---- the failures --------------------------------------------------------------------------------
async def test_a_relay_killed_mid_stream_and_restarted_loses_nothing_and_keeps_order(
    env: Env,
) -> None:
    async def kill_and_restart(env: Env, relay: RelayProcess, stream: Stream) -> None:
        relay.kill()
        assert not relay.running
        assert stream.approved < CHANGES, "approvals are still coming"
        await asyncio.sleep(1.0)  # approvals keep coming while no relay runs
        rows, published = await outbox_counts(env.owner_dsn)
        assert published < rows, "the restarted relay has a backlog"
        relay.start()

    outcome = await stream_through(env, kill_and_restart)
    assert outcome.relay_starts == 2


async def test_a_rabbitmq_restart_mid_stream_loses_nothing_and_keeps_order(env: Env) -> None:
    stopped = False
    try:

        async def restart_rabbitmq(env: Env, relay: RelayProcess, stream: Stream) -> None:
            nonlocal stopped
            stopped = True
            stopping = asyncio.create_task(sh(*privileged("rabbitmqctl", "stop_app"), within=60))
            await until(
                lambda: port_closed(env.amqp_host, env.amqp_port), "RabbitMQ to stop listening", 30
            )
            assert stream.approved < CHANGES, "approvals are still coming"
            await stopping
            await asyncio.sleep(1.0)  # the relay fails to reconnect meanwhile
            await sh(*privileged("rabbitmqctl", "start_app"), within=60)
            await sh(*privileged("rabbitmqctl", "await_startup"), within=60)
            stopped = False
            await until(lambda: rabbitmq_answers(env.amqp_url(ADMIN)), "RabbitMQ", 60)
            assert relay.running, "the relay survives a broker restart"

        await stream_through(env, restart_rabbitmq)
    finally:
        if stopped:
            await sh(*privileged("rabbitmqctl", "start_app"), within=60)
            await sh(*privileged("rabbitmqctl", "await_startup"), within=60)
        await until(lambda: rabbitmq_answers(env.amqp_url(ADMIN)), "RabbitMQ", 60)


async def test_a_postgresql_restart_mid_stream_loses_nothing_and_keeps_order(env: Env) -> None:
    version, cluster = await postgres_cluster(env.pg_port)
    try:

        async def restart_postgresql(env: Env, relay: RelayProcess, stream: Stream) -> None:
            approved = stream.approved
            await sh(
                *privileged(
                    "pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"
                ),
                within=60,
            )
            assert approved < CHANGES, "approvals were still coming"
            await until(lambda: postgres_answers(env.owner_dsn), "PostgreSQL", 30)
            assert relay.running, "the relay survives a database restart"

        await stream_through(env, restart_postgresql)
    finally:
        if not await postgres_answers(env.owner_dsn):
            status, _ = await command(*privileged("pg_ctlcluster", version, cluster, "status"))
            if status != 0:
                await sh(
                    *privileged(
                        "pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "start"
                    ),
                    within=60,
                )
        await until(lambda: postgres_answers(env.owner_dsn), "PostgreSQL", 60)
