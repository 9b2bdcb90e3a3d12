"""Check a transmission against the 電文 formats and report bad items by name, never by value."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cs_simulator.domain.errors import format_error
from cs_simulator.domain.messages import BODY_MODELS, Envelope, MessageBody

_Model = TypeVar("_Model", bound=BaseModel)


def parse_message(payload: Any, *, municipality_code: str) -> tuple[Envelope, MessageBody]:
    """Validate envelope and body; raise E-FORMAT naming every bad field (loc from the HTTP body)."""
    envelope = parse(Envelope, payload, loc=("body",))
    body = parse(BODY_MODELS[envelope.type], envelope.body, loc=("body", "body"))
    if envelope.municipality_code != municipality_code:
        raise format_error([_error(("body", "municipality_code"), "not_this_cs", _NOT_OURS)])
    return envelope, body


def parse(model: type[_Model], data: Any, *, loc: tuple[str, ...]) -> _Model:
    """Validate *data* as *model* or raise E-FORMAT listing field names and error kinds."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise format_error(field_errors(exc, loc)) from None


def field_errors(exc: ValidationError, loc: tuple[str | int, ...]) -> list[dict[str, Any]]:
    """Describe each error by location, kind and rule; pydantic's input and ctx are dropped."""
    return [
        _error((*loc, *err["loc"]), err["type"], safe_message(err["type"], err["msg"]))
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


_NOT_OURS = "この市町村CSの地方公共団体コードではありません / not the municipality this CS serves"


def safe_message(kind: str, message: str) -> str:
    """Return an error message that cannot quote the offending value."""
    if kind == "value_error":  # our own rule texts, which never quote the value
        return message.removeprefix("Value error, ")
    # parsing messages may quote the offending character ("found `x` at 1")
    return message.split(",", 1)[0] if kind.endswith("_parsing") else message


def _error(loc: tuple[str | int, ...], kind: str, message: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": message, "type": kind}
