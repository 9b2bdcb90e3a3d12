"""Fuzz every operation of the witness's OpenAPI with schemathesis (read only, no token).

The schema comes from the real app; calls go in-process over ASGI to an app built from the test
settings (real PostgreSQL, the test vhost), whose lifespan schemathesis runs on its own event-loop
thread. Every other case asks about a log the witness holds checkpoints of, so answers carrying
checkpoints are checked against their models too, not only 404s and 422s.

The checks: no 5xx, every status code documented, content types, bodies and headers (problem+json
included) as declared; bounded and derandomized (jumin_testing.fuzzing).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
from audit_witness.config import Settings
from audit_witness.entrypoints.api.app import create_app
from fastapi import FastAPI
from jumin_platform.checkpoint_witness import AmqpCheckpointSender
from jumin_testing.checkpoint_signer import Signer
from jumin_testing.fuzzing import CHECKS, fuzzing_schema, use_query_values
from jumin_testing.waiting import eventually
from schemathesis import Case
from schemathesis.python.asgi import shutdown_lifespans

schema = fuzzing_schema(create_app(Settings()))

_CASES = itertools.count()


@pytest.fixture
async def fuzz_app(signers_dir: Path, signer: Signer) -> FastAPI:
    """A witness trusting the test's signer, holding two of its checkpoints."""
    app = create_app(Settings(signers_dir=signers_dir))
    async with app.router.lifespan_context(app):
        sender = AmqpCheckpointSender(os.environ["JUMIN_REGISTRY_AMQP_URL"])
        for seq in (1, 2):
            await sender.send(signer.sign(seq))

        async def kept() -> int:
            async with app.state.witness.pool.acquire() as connection:
                count: int = await connection.fetchval(
                    "SELECT count(*) FROM audit_witness.checkpoints WHERE log = $1", signer.log
                )
                return count

        await eventually(kept, lambda n: n == 2, what="the seeded checkpoints kept")
    return app


@pytest.fixture
def app_lifespan(fuzz_app: FastAPI) -> Iterator[None]:
    """Stop the app's lifespan once an operation's cases have run."""
    yield
    shutdown_lifespans()


@schema.parametrize()
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_documented(
    case: Case, fuzz_app: FastAPI, signer: Signer, app_lifespan: None
) -> None:
    if next(_CASES) % 2:
        use_query_values(case, {"log": signer.log})
    case.call_and_validate(checks=CHECKS, app=fuzz_app)
