"""Every command block of README.md works as typed, in a fresh shell, against the running stack.

The stack runs as `make up` runs it — deploy/local/up.sh under supervisord — on its own database
and vhost (JUMIN_E2E_DB / JUMIN_E2E_VHOST + `_readme`, provisioned fresh), but where the README's
commands look for it: the README's ports (registry 8100, cs_adapter 8301, koseki_adapter 8302,
CS simulator 8900, 附票 simulator 8901, 法務省 simulator 8902, 統合宛名 simulator 8903,
中間サーバー simulator 8904), supervisord's socket in var/run
(`make status`) and the repository's development keys in var/keys (`make token`). A port already
taken (a `make up` running?) fails the test at once, saying so.

Each ```sh block runs in a login shell with nothing inherited but HOME (`env -i`), from the
repository root, under `set -euo pipefail` so that any failing command fails the block (pasted
by hand, the block runs without it). Blocks that cannot run against a running stack are excluded
by their first command with the reason; each excluded block must still be in the README, and
every other block is run, so a new block is covered the day it is written.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from jumin_testing.e2e.clients import RegistryClient, SimulatorClient
from jumin_testing.e2e.environment import Ports, SliceEnvironment, SliceSettings
from jumin_testing.e2e.processes import ROOT
from jumin_testing.e2e.slice import provision
from jumin_testing.e2e.supervised import PROGRAMS, SupervisedStack

README = ROOT / "README.md"
#: The ports the README's commands name.
README_PORTS = Ports(
    registry=8100,
    cs_adapter=8301,
    simulator=8900,
    koseki_simulator=8901,
    koseki_adapter=8302,
    moj_simulator=8902,
    atena_simulator=8903,
    intermediate_simulator=8904,
)
#: Where `make status` (deploy/local/ctl.sh) finds supervisord when nothing says otherwise.
DEFAULT_RUN_DIR = ROOT / "var/run"

#: Blocks not run, by their first command, and why.
NOT_RUN = {
    "make up": "starts the stack in the foreground until Ctrl-C, on the development database "
    "(this test starts that same stack with deploy/local/up.sh, on a test database); the "
    "block's `make test` runs the whole suite, this test included",
    "make bench-registry": "a benchmark of minutes on its own database (jumin_bench), "
    "not a command against the running stack",
    "make bench-pipeline": "benchmarks of minutes on their own databases; bench-e2e starts "
    "its own processes",
}
#: Fence languages that would hold commands this test never sees: commands go in ```sh.
OTHER_SHELLS = {"bash", "shell", "console", "zsh", "shell-session", "sh-session"}

FENCE = re.compile(r"^```(?P<lang>[^\n`]*)\n(?P<body>.*?)^```\s*$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    """One ```sh block of the README."""

    line: int
    text: str

    @property
    def first_command(self) -> str:
        for line in self.text.splitlines():
            command = line.split("#", 1)[0].strip()
            if command:
                return command
        return ""


def fences() -> list[tuple[str, Block]]:
    text = README.read_text()
    return [
        (m["lang"].strip(), Block(text.count("\n", 0, m.start()) + 1, m["body"]))
        for m in FENCE.finditer(text)
    ]


def sh_blocks() -> list[Block]:
    return [block for lang, block in fences() if lang == "sh"]


def excluded(block: Block) -> bool:
    return block.first_command in NOT_RUN


def fresh_shell(script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` in a login shell with an empty environment but HOME, from the repo root."""
    command = f"cd {ROOT} && set -euo pipefail\n{script}"
    return subprocess.run(
        ["env", "-i", f"HOME={Path.home()}", "bash", "-lc", command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return decoded


def port_taken(port: int) -> bool:
    """Something listens on 127.0.0.1:port (a socket lingering in TIME_WAIT does not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SupervisedStack]:
    taken = {
        name: port
        for name, port in vars(README_PORTS).items()
        if port_taken(port)  # checked before anything is provisioned or started
    }
    if taken:
        pytest.fail(
            f"the README's ports are taken: {taken}. The README's commands name them, so this "
            "test runs the stack there; stop whatever listens (a `make up`?) and run it again",
            pytrace=False,
        )
    settings = SliceSettings()
    environment = SliceEnvironment(
        workdir=tmp_path_factory.mktemp("readme"),
        database=f"{settings.database}_readme",
        vhost=f"{settings.vhost}_readme",
        ports=README_PORTS,
    )
    await provision(environment)
    running = SupervisedStack(environment, run_dir=DEFAULT_RUN_DIR)
    try:
        await running.up.start_ready(within=180)
        yield running
    finally:
        running.up.stop(grace=30)
        print(f"\nthe README stack's logs: {environment.logs}")


# ---- what each block must have done, beyond exiting 0 ----------------------------------------------
Check = Callable[[subprocess.CompletedProcess[str], SupervisedStack], Awaitable[None]]


async def a_token_the_registry_accepts(
    done: subprocess.CompletedProcess[str], stack: SupervisedStack
) -> None:
    token = done.stdout.strip().splitlines()[-1]
    assert claims(token)["sub"] == "clerk01"
    assert claims(token)["roles"] == ["clerk"]
    registry = RegistryClient(stack.environment.registry_url)
    try:
        headers = {"Authorization": f"Bearer {token}", "X-Jumin-Terminal": "readme-01"}
        answer = await registry.http.get("/changes", headers=headers)
    finally:
        await registry.aclose()
    assert answer.status_code == 200, answer.text


async def every_process_running_and_healthy(
    done: subprocess.CompletedProcess[str], stack: SupervisedStack
) -> None:
    for program in PROGRAMS:
        assert re.search(rf"^{re.escape(program)} +RUNNING +pid \d+", done.stdout, re.M), program
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"status": "ok"}


async def a_move_in_approved_read_back_and_at_cs(
    done: subprocess.CompletedProcess[str], stack: SupervisedStack
) -> None:
    out = done.stdout
    change_id = re.search(r"^entered: change ([0-9a-f-]{36})$", out, re.M)
    atena_no = re.search(r"^approved: 宛名番号 ([0-9]{10})$", out, re.M)
    receipt = re.search(r"^at CS: receipt \['(CS-[0-9]+)'\]$", out, re.M)
    assert change_id, out
    assert atena_no, out
    assert receipt, out
    registry = RegistryClient(stack.environment.registry_url)
    cs = SimulatorClient(stack.environment.simulator_url)
    try:
        answer = await registry.http.get(f"/changes/{change_id[1]}", headers=registry.reviewer)
        change = answer.json()
        resident = await registry.resident(atena_no[1])
        code = resident["record"]["juminhyo_code"]
        at_cs = await cs.of_person(code)
    finally:
        await registry.aclose()
        await cs.aclose()
    # entered by one member of staff at a named terminal, approved by another
    assert (change["kind"], change["status"]) == ("domestic_move_in", "approved")
    assert (change["created_by"], change["terminal"]) == ("clerk01", "counter-01")
    assert change["decided_by"] == "reviewer01"
    assert change["subjects"] == [atena_no[1]]
    # on the register as entered (the block printed it as read back)
    record = resident["record"]
    assert (record["family_name"], record["given_name"]) == ("試験", "花子")
    assert record["address"] == "東京都新宿区西新宿二丁目8番2号"
    assert f"国内転入 試験 花子 東京都新宿区西新宿二丁目8番2号 {code}" in out
    # CS holds her 本人確認情報 under the receipt the block printed
    identities = [r for r in at_cs if r["type"] == "identity"]
    assert [r["receipt_no"] for r in identities] == [receipt[1]]
    assert identities[0]["body"]["change_reason"] == "domestic_move_in"
    assert identities[0]["body"]["record_status"] == "resident"


#: Run blocks whose outcome is checked, by their first command.
CHECKS: dict[str, Check] = {
    "make token SUB=clerk01 ROLE=clerk": a_token_the_registry_accepts,
    "make status": every_process_running_and_healthy,
    "REGISTRY=http://127.0.0.1:8100 CS=http://127.0.0.1:8900": a_move_in_approved_read_back_and_at_cs,
}


def test_every_command_block_is_either_run_and_checked_or_excluded_with_a_reason() -> None:
    languages = {lang for lang, _ in fences()}
    assert not languages & OTHER_SHELLS, "put commands in ```sh blocks: those are the ones run"
    blocks = sh_blocks()
    firsts = [block.first_command for block in blocks]
    for command in [*NOT_RUN, *CHECKS]:
        assert firsts.count(command) == 1, f"no (or more than one) README block starts {command!r}"
    for block in blocks:
        assert block.first_command in NOT_RUN or block.first_command in CHECKS, (
            f"README.md line {block.line}: the block starting {block.first_command!r} is neither "
            "run (CHECKS: what it must have done) nor excluded (NOT_RUN: why it cannot run)"
        )


async def test_every_readme_block_works_in_a_fresh_shell(stack: SupervisedStack) -> None:
    ran: list[str] = []
    for block in sh_blocks():
        if excluded(block):
            continue
        done = fresh_shell(block.text)
        assert done.returncode == 0, (
            f"README.md line {block.line}: the block starting {block.first_command!r} exited "
            f"{done.returncode}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
        )
        check = CHECKS.get(block.first_command)
        if check is not None:
            await check(done, stack)
        ran.append(block.first_command)
    assert sorted(ran) == sorted(CHECKS), "every block that is run has its outcome checked"
