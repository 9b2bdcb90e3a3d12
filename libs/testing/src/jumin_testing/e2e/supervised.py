"""The stack as `make up` runs it: deploy/local/up.sh under supervisord, and supervisorctl on it.

    environment = SliceEnvironment(workdir=tmp, database=…, vhost=…)
    await provision(environment)
    stack = SupervisedStack(environment, run_dir=Path(short_tmp))
    await stack.up.start_ready(within=180)     # every program RUNNING, HTTP ones healthy
    …
    stack.up.stop(grace=30)                    # SIGTERM: supervisord stops every program

The processes listen on the environment's ports; supervisord's socket and pid file go to
`run_dir` (a unix socket path must be short), process logs to `<workdir>/logs/supervised`, what
the simulators hold to `<workdir>/cs-simulator.sqlite3`, `<workdir>/koseki-simulator.sqlite3` and
`<workdir>/moj-simulator.sqlite3`.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .environment import SliceEnvironment
from .processes import ROOT, ServiceProcess, script
from .slice import http_ok

CONF = ROOT / "deploy/local/supervisord.conf"
#: Every program of deploy/local/supervisord.conf, as supervisorctl names them.
PROGRAMS = (
    "cs_simulator",
    "koseki_simulator",
    "moj_simulator",
    "registry",
    "relay:relay-0",
    "relay:relay-1",
    "commands",
    "cs_adapter",
    "koseki_adapter",
    "moj_notify",
    "audit_witness",
)
#: A line of `supervisorctl status`: `relay:relay-0   RUNNING   pid 17380, uptime 0:00:19`.
STATUS_LINE = re.compile(r"^(?P<program>\S+)\s+(?P<state>[A-Z]+)(?:\s+pid (?P<pid>\d+))?")


class SupervisedStack:
    """`deploy/local/up.sh` as a subprocess, and supervisorctl against its supervisord."""

    def __init__(self, environment: SliceEnvironment, run_dir: Path) -> None:
        e = self.environment = environment
        self.env = {
            **e.base(),
            "JUMIN_REGISTRY_PORT": str(e.ports.registry),
            "JUMIN_CS_ADAPTER_PORT": str(e.ports.cs_adapter),
            "JUMIN_CS_SIMULATOR_PORT": str(e.ports.simulator),
            "JUMIN_CS_ADAPTER_CS_BASE_URL": e.simulator_url,
            "JUMIN_REGISTRY_RELAY_POLL_SECONDS": str(e.relay_poll_seconds),
            "JUMIN_CS_ADAPTER_POLL_INTERVAL": str(e.cs_poll_interval),
            "JUMIN_CS_SIMULATOR_MY_NUMBER_DELAY": str(e.my_number_delay),
            "JUMIN_RUN_DIR": str(run_dir),
            "JUMIN_LOG_DIR": str(e.logs / "supervised"),
            "JUMIN_CS_SIMULATOR_STATE_FILE": str(e.workdir / "cs-simulator.sqlite3"),
            "JUMIN_KOSEKI_SIMULATOR_PORT": str(e.ports.koseki_simulator),
            "JUMIN_KOSEKI_ADAPTER_PORT": str(e.ports.koseki_adapter),
            "JUMIN_KOSEKI_ADAPTER_FUHYO_BASE_URL": e.koseki_simulator_url,
            "JUMIN_KOSEKI_SIMULATOR_STATE_FILE": str(e.workdir / "koseki-simulator.sqlite3"),
            "JUMIN_MOJ_SIMULATOR_PORT": str(e.ports.moj_simulator),
            "JUMIN_MOJ_NOTIFY_PORT": str(e.ports.moj_notify),
            "JUMIN_MOJ_NOTIFY_MOJ_BASE_URL": e.moj_simulator_url,
            "JUMIN_MOJ_SIMULATOR_RESULT_DELAY": str(e.moj_result_delay),
            "JUMIN_MOJ_SIMULATOR_STATE_FILE": str(e.workdir / "moj-simulator.sqlite3"),
            "JUMIN_AUDIT_WITNESS_PORT": str(e.ports.audit_witness),
            "JUMIN_REGISTRY_WITNESS_URL": f"http://127.0.0.1:{e.ports.audit_witness}",
        }
        self.up = ServiceProcess(
            "up", [str(ROOT / "deploy/local/up.sh"), e.database], self.env, e.logs / "up.log"
        )
        self.up.ready = self.serving

    def ctl(self, *args: str) -> str:
        """Run supervisorctl against this stack's supervisord; its output."""
        argv = [script("supervisorctl"), "-c", str(CONF), *args]
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    def status(self) -> dict[str, tuple[str, int]]:
        """Every program's state and pid (0 when not running), from one `supervisorctl status`."""
        found = {}
        for line in self.ctl("status").splitlines():
            match = STATUS_LINE.match(line)
            if match:
                found[match["program"]] = (match["state"], int(match["pid"] or 0))
        return found

    def pid(self, program: str) -> int:
        return self.status().get(program, ("", 0))[1]

    def pids(self) -> dict[str, int]:
        status = self.status()
        return {program: status.get(program, ("", 0))[1] for program in PROGRAMS}

    async def serving(self, *programs: str) -> bool:
        """Each program (all by default) is RUNNING; an HTTP one also answers its health check."""
        e = self.environment
        health = {
            "cs_simulator": f"{e.simulator_url}/healthz",
            "koseki_simulator": f"{e.koseki_simulator_url}/healthz",
            "moj_simulator": f"{e.moj_simulator_url}/healthz",
            "registry": f"{e.registry_url}/readyz",
            "cs_adapter": f"{e.cs_adapter_url}/healthz",
            "koseki_adapter": f"{e.koseki_adapter_url}/healthz",
            "moj_notify": f"{e.moj_notify_url}/healthz",
            "audit_witness": f"http://127.0.0.1:{e.ports.audit_witness}/healthz",
        }
        wanted = programs or PROGRAMS
        # the health checks first: they cost nothing while a process is still starting, when
        # a supervisorctl run (a Python start) in a tight loop would slow the start it awaits
        for program in wanted:
            if program in health and not await http_ok(health[program]):
                return False
        status = self.status()
        return all(status.get(program, ("", 0))[0] == "RUNNING" for program in wanted)
