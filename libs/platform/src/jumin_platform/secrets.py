"""The machine's passwords for Jumin's PostgreSQL roles and broker users: random, made once, kept
in one file no one else can read.

Provisioning (`deploy/local/provision.sh`) runs `python -m jumin_platform.secrets ensure` first: every
password variable that has no value yet — `JUMIN_<SERVICE>_OWNER_PASSWORD`, `_DB_PASSWORD`,
`_AMQP_PASSWORD` per service, one `JUMIN_<USER>_AMQP_PASSWORD` per broker user of the topology and
`JUMIN_AMQP_ADMIN_PASSWORD` — gets a random one (192 bits, URL-safe) written to
`$JUMIN_SECRETS_DIR/passwords.env` (default `var/secrets/`, git-ignored; the folder 0700, the file
0600). Provisioning then sets each role and user to its password, and the services read the same
file: a variable set in the environment wins, the file comes next (`environment_value`). No
password is ever a user's name. The file never leaves the machine and is never printed.

The roles and users are cluster-wide, so one machine has one set of passwords: checkouts that share
a PostgreSQL and a RabbitMQ should share the folder too (`JUMIN_SECRETS_DIR`), or each provisioning
re-syncs the passwords to its own file.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import secrets
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from dotenv import dotenv_values

__all__ = [
    "SECRETS_DIR_ENV",
    "ensure_secrets",
    "read_secrets",
    "secrets_file",
    "service_password_variables",
    "stored_secret",
]

SECRETS_DIR_ENV: Final = "JUMIN_SECRETS_DIR"
DEFAULT_DIR: Final = Path("var/secrets")
FILE_NAME: Final = "passwords.env"
_BYTES: Final = 24  # 192 bits; token_urlsafe gives [A-Za-z0-9_-]: safe in URLs and rabbitmqctl


def secrets_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the passwords are kept: `$JUMIN_SECRETS_DIR/passwords.env`, default `var/secrets/`."""
    env = os.environ if environ is None else environ
    return Path(env.get(SECRETS_DIR_ENV) or DEFAULT_DIR) / FILE_NAME


def read_secrets(path: Path) -> dict[str, str]:
    """Every non-empty `NAME=value` of the file ({} when it does not exist yet)."""
    if not path.is_file():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v}


def stored_secret(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The stored value of one password variable, '' when none is stored."""
    return read_secrets(secrets_file(environ)).get(name, "")


def service_password_variables(service: str) -> tuple[str, str, str]:
    """`cs_adapter` → the schema owner's, the service role's and the broker user's variables."""
    prefix = f"JUMIN_{service.upper()}"
    return (f"{prefix}_OWNER_PASSWORD", f"{prefix}_DB_PASSWORD", f"{prefix}_AMQP_PASSWORD")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the file (two provisionings at once write one set)."""
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)


def _write(path: Path, values: Mapping[str, str]) -> None:
    """Replace the file atomically with mode 0600 from the first byte."""
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("# Jumin's local passwords (deploy/local/provision.sh). Keep private.\n")
        out.writelines(f"{name}={value}\n" for name, value in sorted(values.items()))
    os.replace(temporary, path)
    path.chmod(0o600)


def ensure_secrets(names: Iterable[str], path: Path) -> list[str]:
    """Give every named variable a stored random password unless it has one; return the new names.

    Existing values are kept, so re-running provisioning changes nothing.
    """
    _private_folder(path.parent)
    with _locked(path):
        values = read_secrets(path)
        made = [name for name in dict.fromkeys(names) if name not in values]
        for name in made:
            values[name] = secrets.token_urlsafe(_BYTES)
        if made or not path.exists():
            _write(path, values)
        else:
            path.chmod(0o600)
    return made


def _variables(services: Sequence[str]) -> list[str]:
    from jumin_platform.topology import Topology  # the topology's users (keeps imports light)

    names = [v for service in services for v in service_password_variables(service)]
    names += [user.password_env for user in Topology().users()]
    return names


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jumin_platform.secrets", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ensure = sub.add_parser("ensure", help="make the missing passwords (services + broker users)")
    ensure.add_argument("services", nargs="+", help="the services with a schema (JUMIN_SERVICES)")
    args = parser.parse_args(argv)
    path = secrets_file()
    made = ensure_secrets(_variables(args.services), path)
    print(f"{path}: {len(made)} new password(s)" if made else f"{path}: complete", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
