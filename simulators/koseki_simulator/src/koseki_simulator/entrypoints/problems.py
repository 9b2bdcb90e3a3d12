"""How routes document the codes they may answer (answers: `jumin_simulator.problems`)."""

from __future__ import annotations

from typing import Any

from jumin_simulator.problems import error_responses

from koseki_simulator.domain.errors import ERROR_CODES, MISMATCH_CODES

_MISMATCH_PROPERTIES: dict[str, dict[str, Any]] = {
    "mismatches": {
        "type": "array",
        "items": {"type": "string", "enum": list(MISMATCH_CODES)},
        "description": "every 照合不一致 code of the notice (the first is `code`)",
    },
    "receipt_no": {"type": "string", "description": "受付番号 of the received notice"},
    "replayed": {"type": "boolean", "description": "a resend answered from the stored answer"},
}


def koseki_error_responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """Document the refusals a route may answer: problem+json carrying one of *codes* in `code`."""
    return error_responses(ERROR_CODES, *codes, extra_properties=_MISMATCH_PROPERTIES)
