"""One service process as a real subprocess: own process group, output to a file, SIGKILL-able.

A process runs the workspace's console script directly (`.venv/bin/jumin-registry serve`), not
through `uv run`, so starting is quick and a signal to the group reaches the Python process itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = (
    Path(__file__).resolve().parents[5]
)  # the repository (the workspace installs jumin_testing editable)
BIN = Path(sys.executable).parent

Check = Callable[[], Awaitable[bool]]
PR_SET_PDEATHSIG = 1


class ProcessFailed(RuntimeError):
    """A process exited or did not become ready in time."""


def _libc_prctl() -> Callable[..., int] | None:
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None
    return prctl


_PRCTL = _libc_prctl()  # looked up here: the child between fork and exec only calls it


def _die_with_parent() -> None:
    """In the child before exec: be SIGKILLed when the harness process dies, however it dies
    (Linux PR_SET_PDEATHSIG), so a killed test run leaves no services behind."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


def script(name: str) -> str:
    """Return the path of a workspace console script (falls back to the bare name on PATH)."""
    candidate = BIN / name
    return str(candidate) if candidate.exists() else name


@dataclass
class ServiceProcess:
    """A long-running service: start, wait until ready, kill, stop; output kept in `log`."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    log: Path
    ready: Check | None = None
    starts: int = 0
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the process in a new session (its own process group); append to its log."""
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            out.write(f"---- start #{self.starts + 1}: {' '.join(self.argv)}\n".encode())
            out.flush()
            self._process = subprocess.Popen(
                list(self.argv),
                cwd=ROOT,
                env=dict(self.env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self.starts += 1

    async def wait_ready(self, within: float = 60.0) -> float:
        """Poll the readiness check; fail fast when the process exits. Return seconds taken."""
        started = time.monotonic()
        while True:
            if not self.running:
                raise ProcessFailed(f"{self.name} exited with {self.returncode}:\n{self.tail()}")
            if self.ready is None or await self.ready():
                return time.monotonic() - started
            if time.monotonic() - started > within:
                raise ProcessFailed(f"{self.name} not ready after {within}s:\n{self.tail()}")
            await asyncio.sleep(0.1)

    async def start_ready(self, within: float = 60.0) -> float:
        self.start()
        return await self.wait_ready(within)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._process.poll() if self._process is not None else None

    def _signal(self, sig: signal.Signals) -> None:
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, sig)  # the group we made, nothing else

    def kill(self) -> None:
        """SIGKILL the process group: no clean-up, no goodbye to PostgreSQL or RabbitMQ."""
        self._signal(signal.SIGKILL)
        if self._process is not None:
            self._process.wait(timeout=10)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds."""
        self._signal(signal.SIGTERM)
        if self._process is None:
            return
        try:
            self._process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def output_since_start(self) -> str:
        """The output of the current (latest) start only."""
        text = self.output()
        marker = f"---- start #{self.starts}:"
        return text[text.rfind(marker) :] if marker in text else text

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])


async def run_command(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    within: float = 300.0,
    cwd: Path = ROOT,
) -> None:
    """Run a one-off command (provisioning, migrations) to completion; raise with its output."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"---- {' '.join(argv)}\n".encode())
        out.flush()
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
        try:
            code = await asyncio.wait_for(process.wait(), within)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
    if code != 0:
        raise ProcessFailed(f"{' '.join(argv)} exited {code}:\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
