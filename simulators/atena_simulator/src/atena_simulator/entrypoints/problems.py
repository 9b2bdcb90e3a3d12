"""How routes document the codes they may answer (answers: `jumin_simulator.problems`)."""

from __future__ import annotations

from typing import Any

from jumin_simulator.problems import error_responses

from atena_simulator.domain.errors import ERROR_CODES


def atena_error_responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """Document the refusals a route may answer: problem+json carrying one of *codes* in `code`."""
    return error_responses(ERROR_CODES, *codes)
