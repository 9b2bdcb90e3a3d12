"""The demo's hands at the counter: staff tokens, the registry's API, the simulators' test sides."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from jumin_contracts.check_digits import juminhyo_code_check_digit, my_number_check_digit
from jumin_platform.devkeys import issue_token

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
REGISTRY_URL = f"http://{HOST}:{os.environ.get('JUMIN_REGISTRY_PORT', '8100')}"
CS_ADAPTER_URL = f"http://{HOST}:{os.environ.get('JUMIN_CS_ADAPTER_PORT', '8301')}"
SIMULATOR_URL = f"http://{HOST}:{os.environ.get('JUMIN_CS_SIMULATOR_PORT', '8900')}"
KOSEKI_ADAPTER_URL = f"http://{HOST}:{os.environ.get('JUMIN_KOSEKI_ADAPTER_PORT', '8302')}"
KOSEKI_SIMULATOR_URL = f"http://{HOST}:{os.environ.get('JUMIN_KOSEKI_SIMULATOR_PORT', '8901')}"
MOJ_NOTIFY_URL = f"http://{HOST}:{os.environ.get('JUMIN_MOJ_NOTIFY_PORT', '8303')}"
MOJ_SIMULATOR_URL = f"http://{HOST}:{os.environ.get('JUMIN_MOJ_SIMULATOR_PORT', '8902')}"
KEY_FILE = ROOT / os.environ.get("JUMIN_REGISTRY_JWT_PRIVATE_KEY_FILE", "var/keys/dev-private.pem")
TERMINAL = "demo-madoguchi-01"
WAIT_SECONDS = 30.0
HONSEKI = "東京都新宿区西新宿二丁目8番地"

Body = dict[str, Any]


def new_juminhyo_code() -> str:
    body = "".join(random.choice("0123456789") for _ in range(10))
    return body + juminhyo_code_check_digit(body)


def new_my_number() -> str:
    body = str(random.randint(1, 9)) + "".join(random.choice("0123456789") for _ in range(10))
    return body + my_number_check_digit(body)


def person(given: str, kana: str, born: date, sex: str, relationship: str) -> Body:
    return {
        "resident_type": "japanese",
        "family_name": "山田",
        "given_name": given,
        "family_name_kana": "ヤマダ",
        "given_name_kana": kana,
        "birth_date": born.isoformat(),
        "sex": sex,
        "relationship": relationship,
        "honseki": HONSEKI,
        "hittosha": "山田太郎",
        "juminhyo_code": new_juminhyo_code(),
        "my_number": new_my_number(),
    }


def bearer(sub: str, role: str) -> dict[str, str]:
    token = issue_token(
        private_key_pem=KEY_FILE.read_text(),
        sub=sub,
        roles=[role],
        issuer=os.environ.get("JUMIN_REGISTRY_JWT_ISSUER", "jumin-local"),
        audience=os.environ.get("JUMIN_REGISTRY_JWT_AUDIENCE", "jumin"),
    )
    return {"Authorization": f"Bearer {token}", "X-Jumin-Terminal": TERMINAL}


def answer(response: httpx.Response, *ok: int) -> Any:
    if response.status_code not in ok:
        raise SystemExit(
            f"{response.request.method} {response.request.url.path} → {response.status_code}: "
            f"{response.text[:400]}"
        )
    return response.json() if response.content else None


@dataclass
class Counter:
    """The registry as a clerk (入力) and a reviewer (決裁), and the simulators' test sides."""

    registry: httpx.AsyncClient
    cs: httpx.AsyncClient
    koseki: httpx.AsyncClient
    moj: httpx.AsyncClient
    clerk: dict[str, str]
    reviewer: dict[str, str]
    seen_receipts: set[str]
    seen_fuhyo_receipts: set[str] = field(default_factory=set)

    async def enter(self, body: Body) -> Body:
        """仮登録 by the clerk, 本登録 by the reviewer."""
        change = answer(await self.registry.post("/changes", json=body, headers=self.clerk), 201)
        path = f"/changes/{change['change_id']}/approve"
        return dict(answer(await self.registry.post(path, headers=self.reviewer), 200))

    async def record(self, atena_no: str, *, show_my_number: bool = False) -> Body:
        params = {"show_my_number": "true"} if show_my_number else {}
        response = await self.registry.get(
            f"/residents/{atena_no}", params=params, headers=self.reviewer
        )
        return dict(answer(response, 200))

    async def received_since(self) -> list[Body]:
        """What CS received since the last call."""
        rows = answer(await self.cs.get("/sim/received"), 200)["items"]
        new = [r for r in rows if r["receipt_no"] not in self.seen_receipts]
        self.seen_receipts.update(r["receipt_no"] for r in new)
        return list(new)


async def until(probe: Callable[[], Awaitable[Any]], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(
                f"{what}: nothing after {WAIT_SECONDS:.0f}s — is the cs_adapter running?"
            )
        await asyncio.sleep(0.3)


async def cs_receives(counter: Counter, codes: set[str], count: int) -> list[Body]:
    """Wait until CS has received `count` transmissions about these people; return them."""
    got: list[Body] = []

    async def enough() -> bool:
        got.extend(
            r for r in await counter.received_since() if r["body"].get("juminhyo_code") in codes
        )
        return len(got) >= count

    await until(enough, "CS did not receive the messages")
    await asyncio.sleep(0.5)  # anything that follows right behind
    got.extend(r for r in await counter.received_since() if r["body"].get("juminhyo_code") in codes)
    return got


async def services_down() -> list[str]:
    """The services that do not answer their health check."""
    down = []
    async with httpx.AsyncClient(timeout=3) as client:
        for name, url in (
            ("registry", REGISTRY_URL),
            ("cs_adapter", CS_ADAPTER_URL),
            ("cs_simulator", SIMULATOR_URL),
            ("koseki_adapter", KOSEKI_ADAPTER_URL),
            ("koseki_simulator", KOSEKI_SIMULATOR_URL),
            ("moj_notify", MOJ_NOTIFY_URL),
            ("moj_simulator", MOJ_SIMULATOR_URL),
        ):
            try:
                ok = (await client.get(f"{url}/healthz")).status_code == 200
            except httpx.HTTPError:
                ok = False
            if not ok:
                down.append(f"{name} ({url})")
    return down
