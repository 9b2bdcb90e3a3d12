"""The README's commands work as typed in a fresh root shell (no PATH set up by hand).

`deploy/local/bootstrap.sh` links uv into /usr/local/bin, where a login shell looks; `make token`
needs no PATH at all. Each command runs under `env -i` (nothing inherited) in a login shell from
the repository root, as a new member of the ward's IT staff would type it.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def fresh_shell(command: str) -> subprocess.CompletedProcess[str]:
    """Run `command` in a login shell with an empty environment but HOME, from the repo root."""
    return subprocess.run(
        ["env", "-i", f"HOME={Path.home()}", "bash", "-lc", f"cd {ROOT} && {command}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return decoded


@pytest.mark.parametrize(
    "command",
    [
        "uv run jumin-registry token --sub reviewer01 --role reviewer",
        "make -s token SUB=reviewer01 ROLE=reviewer",
    ],
)
def test_a_development_token_can_be_made_in_a_fresh_shell(command: str) -> None:
    done = fresh_shell(command)

    assert done.returncode == 0, done.stderr[-2000:]
    token = done.stdout.strip().splitlines()[-1]
    assert claims(token)["sub"] == "reviewer01"
    assert claims(token)["roles"] == ["reviewer"]


@pytest.mark.parametrize(
    ("missing", "installed"),
    [("curl", "curl"), ("curl python3", "curl python3"), ("", None)],
)
def test_bootstrap_installs_the_tools_the_readme_uses_when_missing(
    missing: str, installed: str | None
) -> None:
    """The README's Try it reads the services with curl and python3: bootstrap.sh installs
    whichever is missing (apt stubbed here: only the decision is tested)."""
    script = f"""
        . {ROOT}/deploy/local/bootstrap.sh
        have() {{ [[ " {missing} " != *" $1 "* ]]; }}
        apt_install() {{ echo "apt_install $*"; }}
        ensure_readme_tools
    """
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"apt_install {installed}" if installed else "")
