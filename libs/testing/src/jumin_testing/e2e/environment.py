"""Where the slice runs: its own database and vhost, free ports, a directory for logs and spans.

Every process gets its service role's URLs for the slice's database (`jumin_e2e_test` unless
JUMIN_E2E_DB says otherwise) and its broker user's URL on the slice's vhost (`jumin_e2e_<hex>`,
or JUMIN_E2E_VHOST with a suffix), so nothing here touches `jumin` (make up) or `jumin_test` (the
other tests). The vhost's name is new for each run: RabbitMQ 3.10 can wedge when a vhost is
deleted and made again under the same name in quick succession (one e2e file after another).
Passwords come from the same variables deploy/local/lib.sh and the topology read.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from jumin_platform.settings import environment_value
from jumin_platform.topology import Topology
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = "jumin_e2e_test"
DEFAULT_VHOST = "jumin_e2e"

#: Settings a caller's environment may carry for another database or vhost (with-env.sh exports the
#: registry's for jumin_test): dropped, then set for the slice.
FOREIGN_PREFIXES = (
    "JUMIN_REGISTRY_",
    "JUMIN_CS_ADAPTER_",
    "JUMIN_CS_SIMULATOR_",
    "JUMIN_KOSEKI_SIMULATOR_",
    "JUMIN_KOSEKI_ADAPTER_",
    "JUMIN_MOJ_SIMULATOR_",
    "JUMIN_MOJ_NOTIFY_",
    "JUMIN_AUDIT_WITNESS_",
    "OTEL_",
)


def free_port() -> int:
    """Ask the kernel for a free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SliceSettings(BaseSettings):
    """Where the slice's PostgreSQL and RabbitMQ are and which database and vhost it takes."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    pg_host: str = Field(default="127.0.0.1", alias="JUMIN_PG_HOST")
    pg_port: int = Field(default=5432, alias="JUMIN_PG_PORT")
    amqp_host: str = Field(default="127.0.0.1", alias="JUMIN_AMQP_HOST")
    amqp_port: int = Field(default=5672, alias="JUMIN_AMQP_PORT")
    database: str = Field(default=DEFAULT_DB, alias="JUMIN_E2E_DB")
    vhost: str = Field(default=DEFAULT_VHOST, alias="JUMIN_E2E_VHOST")


@dataclass(frozen=True)
class Ports:
    registry: int = field(default_factory=free_port)
    cs_adapter: int = field(default_factory=free_port)
    simulator: int = field(default_factory=free_port)
    audit_witness: int = field(default_factory=free_port)
    koseki_simulator: int = field(default_factory=free_port)
    moj_simulator: int = field(default_factory=free_port)
    atena_simulator: int = field(default_factory=free_port)
    intermediate_simulator: int = field(default_factory=free_port)
    koseki_adapter: int = field(default_factory=free_port)
    moj_notify: int = field(default_factory=free_port)


@dataclass(frozen=True)
class SliceEnvironment:
    """Names, addresses and per-process environments of one run of the slice."""

    workdir: Path
    database: str = DEFAULT_DB
    vhost: str = DEFAULT_VHOST
    ports: Ports = field(default_factory=Ports)
    pg_host: str = field(default_factory=lambda: SliceSettings().pg_host)
    pg_port: int = field(default_factory=lambda: SliceSettings().pg_port)
    amqp_host: str = field(default_factory=lambda: SliceSettings().amqp_host)
    amqp_port: int = field(default_factory=lambda: SliceSettings().amqp_port)
    #: Seconds between the cs_adapter's polls of CS (answers come back faster in tests).
    cs_poll_interval: float = 0.2
    #: Seconds between the koseki_adapter's polls of the 戸籍附票システム's notices.
    koseki_poll_interval: float = 0.2
    my_number_delay: float = 0.3
    #: Seconds until the 法務省 simulator's processing result of a notice (5 under `make up`):
    #: time enough for a test to inject an error result first (a notice gets one result).
    moj_result_delay: float = 2.0
    #: Seconds between moj_notify's polls of the ministry's 処理結果 and 長官通知.
    moj_poll_interval: float = 0.2
    relay_poll_seconds: float = 0.5
    #: False: every process runs with OTEL_SDK_DISABLED=true (no spans; for benchmarks)
    tracing: bool = True

    @classmethod
    def from_env(cls, workdir: Path) -> SliceEnvironment:
        """The settings' database, and a vhost of this run's own (`<JUMIN_E2E_VHOST>_<hex>`)."""
        settings = SliceSettings()
        vhost = f"{settings.vhost}_{secrets.token_hex(3)}"
        return cls(workdir=workdir, database=settings.database, vhost=vhost)

    # ---- places ---------------------------------------------------------------------------------
    @property
    def logs(self) -> Path:
        return self.workdir / "logs"

    @property
    def traces(self) -> Path:
        return self.workdir / "traces"

    @property
    def topology(self) -> Topology:
        return Topology(vhost=self.vhost)

    # ---- URLs -----------------------------------------------------------------------------------
    def pg_url(self, role: str, password: str) -> str:
        return (
            f"postgresql://{quote(role, safe='')}:{quote(password, safe='')}"
            f"@{self.pg_host}:{self.pg_port}/{quote(self.database, safe='')}"
        )

    @property
    def registry_dsn(self) -> str:
        return self.pg_url("jumin_registry", environment_value("JUMIN_REGISTRY_DB_PASSWORD"))

    @property
    def registry_owner_dsn(self) -> str:
        password = environment_value("JUMIN_REGISTRY_OWNER_PASSWORD")
        return self.pg_url("jumin_registry_owner", password)

    @property
    def cs_adapter_dsn(self) -> str:
        password = environment_value("JUMIN_CS_ADAPTER_DB_PASSWORD")
        return self.pg_url("jumin_cs_adapter", password)

    @property
    def cs_adapter_owner_dsn(self) -> str:
        password = environment_value("JUMIN_CS_ADAPTER_OWNER_PASSWORD")
        return self.pg_url("jumin_cs_adapter_owner", password)

    @property
    def koseki_adapter_dsn(self) -> str:
        password = environment_value("JUMIN_KOSEKI_ADAPTER_DB_PASSWORD")
        return self.pg_url("jumin_koseki_adapter", password)

    @property
    def koseki_adapter_owner_dsn(self) -> str:
        password = environment_value("JUMIN_KOSEKI_ADAPTER_OWNER_PASSWORD")
        return self.pg_url("jumin_koseki_adapter_owner", password)

    @property
    def moj_notify_dsn(self) -> str:
        password = environment_value("JUMIN_MOJ_NOTIFY_DB_PASSWORD")
        return self.pg_url("jumin_moj_notify", password)

    @property
    def moj_notify_owner_dsn(self) -> str:
        password = environment_value("JUMIN_MOJ_NOTIFY_OWNER_PASSWORD")
        return self.pg_url("jumin_moj_notify_owner", password)

    def amqp_url(self, user: str) -> str:
        password = self.topology.user(user).password()
        return (
            f"amqp://{quote(user, safe='')}:{quote(password, safe='')}"
            f"@{self.amqp_host}:{self.amqp_port}/{quote(self.vhost, safe='')}"
        )

    @property
    def registry_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.registry}"

    @property
    def cs_adapter_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.cs_adapter}"

    @property
    def simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.simulator}"

    @property
    def koseki_simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.koseki_simulator}"

    @property
    def koseki_adapter_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.koseki_adapter}"

    @property
    def moj_simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.moj_simulator}"

    @property
    def moj_notify_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.moj_notify}"

    # ---- process environments -------------------------------------------------------------------
    def base(self) -> dict[str, str]:
        """The caller's environment without other databases' settings, plus the slice's own."""
        # the child processes' environment (PATH, HOME …), not settings read here
        env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_PREFIXES)}
        env.update(
            {
                "PYTHONUNBUFFERED": "1",
                "JUMIN_TRACE_DIR": str(self.traces),
                "JUMIN_AMQP_VHOST": self.vhost,
                # Short back-off steps (provisioning declares the wait queues they name).
                "JUMIN_AMQP_RETRY_DELAYS": "1,2,4",
                "JUMIN_DB_NAME": self.database,
            }
        )
        if not self.tracing:
            env["OTEL_SDK_DISABLED"] = "true"
        return env

    def registry(self) -> dict[str, str]:
        return {
            **self.base(),
            "JUMIN_REGISTRY_DATABASE_URL": self.registry_dsn,
            "JUMIN_REGISTRY_MIGRATION_DATABASE_URL": self.registry_owner_dsn,
            "JUMIN_REGISTRY_AMQP_URL": self.amqp_url("jumin_registry"),
            "JUMIN_REGISTRY_PORT": str(self.ports.registry),
            "JUMIN_REGISTRY_RELAY_POLL_SECONDS": str(self.relay_poll_seconds),
        }

    def cs_adapter(self) -> dict[str, str]:
        return {
            **self.base(),
            "JUMIN_CS_ADAPTER_DATABASE_URL": self.cs_adapter_dsn,
            "JUMIN_CS_ADAPTER_MIGRATION_DATABASE_URL": self.cs_adapter_owner_dsn,
            "JUMIN_CS_ADAPTER_AMQP_URL": self.amqp_url("jumin_cs_adapter"),
            "JUMIN_CS_ADAPTER_PORT": str(self.ports.cs_adapter),
            "JUMIN_CS_ADAPTER_CS_BASE_URL": self.simulator_url,
            "JUMIN_CS_ADAPTER_POLL_INTERVAL": str(self.cs_poll_interval),
            # Small pages, so a 整合性確認 pages CS by 住民票コード (after=…) as a large ward
            # would, and the privacy scan sees whatever that puts in a log.
            "JUMIN_CS_ADAPTER_CONSISTENCY_PAGE_SIZE": "7",
        }

    def simulator(self) -> dict[str, str]:
        return {
            **self.base(),
            "JUMIN_CS_SIMULATOR_PORT": str(self.ports.simulator),
            "JUMIN_CS_SIMULATOR_MY_NUMBER_DELAY": str(self.my_number_delay),
            "JUMIN_CS_SIMULATOR_TIMEOUT_HANG": "2",
        }

    def koseki_simulator(self) -> dict[str, str]:
        return {
            **self.base(),
            "JUMIN_KOSEKI_SIMULATOR_PORT": str(self.ports.koseki_simulator),
            "JUMIN_KOSEKI_SIMULATOR_TIMEOUT_HANG": "2",
        }

    def koseki_adapter(self) -> dict[str, str]:
        return {
            **self.base(),
            "JUMIN_KOSEKI_ADAPTER_DATABASE_URL": self.koseki_adapter_dsn,
            "JUMIN_KOSEKI_ADAPTER_MIGRATION_DATABASE_URL": self.koseki_adapter_owner_dsn,
            "JUMIN_KOSEKI_ADAPTER_AMQP_URL": self.amqp_url("jumin_koseki_adapter"),
            "JUMIN_KOSEKI_ADAPTER_PORT": str(self.ports.koseki_adapter),
            "JUMIN_KOSEKI_ADAPTER_FUHYO_BASE_URL": self.koseki_simulator_url,
            "JUMIN_KOSEKI_ADAPTER_POLL_INTERVAL": str(self.koseki_poll_interval),
            # Small pages, as for the cs_adapter: the 整合性確認 pages the 附票 by 住民票コード.
            "JUMIN_KOSEKI_ADAPTER_CONSISTENCY_PAGE_SIZE": "7",
        }

    def moj_simulator(self) -> dict[str, str]:
        return {
            **self.base(),
            "JUMIN_MOJ_SIMULATOR_PORT": str(self.ports.moj_simulator),
            "JUMIN_MOJ_SIMULATOR_RESULT_DELAY": str(self.moj_result_delay),
            "JUMIN_MOJ_SIMULATOR_TIMEOUT_HANG": "2",
        }

    def moj_notify(self, clock_offset: timedelta = timedelta(0)) -> dict[str, str]:
        """moj_notify's environment; `clock_offset` moves its clock (a 転出予定日 falls due)."""
        return {
            **self.base(),
            "JUMIN_MOJ_NOTIFY_DATABASE_URL": self.moj_notify_dsn,
            "JUMIN_MOJ_NOTIFY_MIGRATION_DATABASE_URL": self.moj_notify_owner_dsn,
            "JUMIN_MOJ_NOTIFY_AMQP_URL": self.amqp_url("jumin_moj_notify"),
            "JUMIN_MOJ_NOTIFY_PORT": str(self.ports.moj_notify),
            "JUMIN_MOJ_NOTIFY_MOJ_BASE_URL": self.moj_simulator_url,
            "JUMIN_MOJ_NOTIFY_MOJ_TIMEOUT": "1",
            "JUMIN_MOJ_NOTIFY_RETRY_FIRST": "0.3",
            "JUMIN_MOJ_NOTIFY_RETRY_MOST": "2",
            "JUMIN_MOJ_NOTIFY_POLL_INTERVAL": str(self.moj_poll_interval),
            "JUMIN_MOJ_NOTIFY_CLOCK_OFFSET": f"PT{int(clock_offset.total_seconds())}S",
        }
