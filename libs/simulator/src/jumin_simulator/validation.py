"""Check a message against its model and report bad items by name, never by value."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from jumin_simulator.errors import format_error

_Model = TypeVar("_Model", bound=BaseModel)


def parse(model: type[_Model], data: Any, *, loc: tuple[str, ...]) -> _Model:
    """Validate *data* as *model* or raise E-FORMAT listing field names and error kinds."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise format_error(field_errors(exc, loc)) from None


def field_errors(exc: ValidationError, loc: tuple[str | int, ...]) -> list[dict[str, Any]]:
    """Describe each error by location, kind and rule; pydantic's input and ctx are dropped."""
    return [
        field_error((*loc, *err["loc"]), err["type"], safe_message(err["type"], err["msg"]))
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


def safe_message(kind: str, message: str) -> str:
    """Return an error message that cannot quote the offending value."""
    if kind == "value_error":  # our own rule texts, which never quote the value
        return message.removeprefix("Value error, ")
    # parsing messages may quote the offending character ("found `x` at 1")
    return message.split(",", 1)[0] if kind.endswith("_parsing") else message


def field_error(loc: tuple[str | int, ...], kind: str, message: str) -> dict[str, Any]:
    """One entry of a problem's `errors`: where, which rule kind, the rule in words."""
    return {"loc": list(loc), "msg": message, "type": kind}


NOT_THIS_WARD = (
    "この連携の市区町村の地方公共団体コードではありません / not the ward this link serves"
)


def check_sender(municipality_code: str, *, served: str) -> None:
    """Raise E-FORMAT (naming `body.municipality_code`) unless the envelope's sender is the ward
    the simulated system serves."""
    if municipality_code != served:
        raise format_error(
            [field_error(("body", "municipality_code"), "not_this_ward", NOT_THIS_WARD)]
        )
