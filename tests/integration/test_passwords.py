"""No password equals its user's name: provisioning gave every broker user and every PostgreSQL role
of the services a random password (`var/secrets/passwords.env`, mode 0600), and RabbitMQ refuses a
login with the name as password.

PostgreSQL is checked on what it stores: this machine's pg_hba trusts loopback (a fresh Debian's
asks for SCRAM), so a login would prove nothing here; the role's SCRAM verifier is checked against
the name instead — and against the stored password, so the check is known to work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
import subprocess
from pathlib import Path
from urllib.parse import quote

import aio_pika
import pytest
from aio_pika.exceptions import ProbableAuthenticationError
from jumin_platform.secrets import read_secrets, secrets_file, service_password_variables
from jumin_platform.topology import Topology, topology_from_env

ROOT = Path(__file__).resolve().parents[2]


def services() -> list[str]:
    """JUMIN_SERVICES of deploy/local/lib.sh."""
    script = f'. "{ROOT}/deploy/local/lib.sh" >/dev/null; echo "${{JUMIN_SERVICES[@]}}"'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    return done.stdout.split()


def scram_matches(verifier: str, password: str) -> bool:
    """Whether a PostgreSQL `SCRAM-SHA-256$iter:salt$StoredKey:ServerKey` verifier is `password`'s
    (RFC 5802 / 7677: StoredKey = H(HMAC(SaltedPassword, "Client Key")))."""
    mechanism, _, rest = verifier.partition("$")
    assert mechanism == "SCRAM-SHA-256", "every role's password is stored as SCRAM"
    iterations_salt, _, keys = rest.partition("$")
    iterations, _, salt = iterations_salt.partition(":")
    stored_key = base64.b64decode(keys.partition(":")[0])
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key)


def role_verifiers(roles: list[str]) -> dict[str, str]:
    """pg_authid.rolpassword of each role, read as the postgres superuser over the socket."""
    switch = (
        ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    )
    port = os.environ.get("JUMIN_PG_PORT", "5432")
    sql = "SELECT rolname || ' ' || coalesce(rolpassword, '') FROM pg_authid"
    done = subprocess.run(
        [*switch, "psql", "-X", "-At", "-p", port, "-d", "postgres", "-c", sql],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    )
    rows = dict(line.partition(" ")[::2] for line in done.stdout.splitlines())
    return {role: rows.get(role, "") for role in roles}


def test_the_passwords_file_is_private_and_complete() -> None:
    path = secrets_file()
    stored = read_secrets(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    wanted = {v for s in services() for v in service_password_variables(s)}
    wanted |= {user.password_env for user in Topology().users()}
    assert wanted <= set(stored)


def test_no_database_role_has_its_name_as_password() -> None:
    stored = read_secrets(secrets_file())
    roles = {}
    for service in services():
        owner, app, _ = service_password_variables(service)
        roles[f"jumin_{service}_owner"] = stored[owner]
        roles[f"jumin_{service}"] = stored[app]

    verifiers = role_verifiers(list(roles))

    for role, password in roles.items():
        assert verifiers[role], f"{role} has a password"
        assert not scram_matches(verifiers[role], role), f"{role}'s password is its name"
        assert scram_matches(verifiers[role], password), f"{role} has the provisioned password"


def amqp_url(user: str, password: str, vhost: str) -> str:
    host = os.environ.get("JUMIN_AMQP_HOST", "127.0.0.1")
    port = os.environ.get("JUMIN_AMQP_PORT", "5672")
    return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{quote(vhost, safe='')}"


async def test_the_broker_refuses_every_user_logging_in_with_its_name() -> None:
    topology = topology_from_env()

    for user in topology.users():
        with pytest.raises(ProbableAuthenticationError):
            await aio_pika.connect(amqp_url(user.name, user.name, topology.vhost), timeout=10)
        connection = await aio_pika.connect(  # the user exists: its own password opens it
            amqp_url(user.name, user.password(), topology.vhost), timeout=10
        )
        await connection.close()
