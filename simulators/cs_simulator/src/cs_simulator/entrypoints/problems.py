"""The CS error codes and how routes document them (answers: `jumin_simulator.problems`)."""

from __future__ import annotations

from typing import Any

from jumin_simulator.problems import error_responses

CS_ERROR_CODES: dict[str, tuple[int, str]] = {
    "E-FORMAT": (400, "電文・パラメータの形式誤り (malformed; `errors` names the fields)"),
    "E-KEY-REUSED": (409, "冪等キーの再利用 (the key was used for another request)"),
    "E-REJECTED": (422, "受付拒否 (CS refuses this person)"),
    "E-BUSY": (503, "混雑 (fault injection, also a lost reply; retry later)"),
    "E-DOWN": (503, "停止中 (fault injection; CS is down)"),
}
"""Each CS error code with its HTTP status and what it means (INTERFACE.md)."""


def cs_error_responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """Document the refusals a route may answer: problem+json carrying one of *codes* in `code`."""
    return error_responses(CS_ERROR_CODES, *codes)
