"""Reading an external system's JSON answers (CS, 戸籍附票システム): objects, item lists.

Failures raise the caller's "unavailable" exception with a text naming the call, the system and
the status — never a body (it may hold personal data).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from jumin_platform.deliveries.http import json_object

__all__ = ["listed_items", "required_object"]


def required_object(
    response: httpx.Response, *, what: str, system: str, error: type[Exception]
) -> dict[str, Any]:
    """The JSON object of a successful answer; `error` for a failed or empty one."""
    if not response.is_success:
        code = json_object(response).get("code")
        code_text = code if isinstance(code, str) else ""
        raise error(f"{what}: {system} {response.status_code} {code_text}".rstrip())
    data = json_object(response)
    if not data:
        raise error(f"{what}: {system} answered no JSON object")
    return data


def listed_items(
    data: Mapping[str, Any], *, system: str, error: type[Exception]
) -> list[Mapping[str, Any]]:
    """The objects of the answer's `items` list; `error` when there is no list."""
    items = data.get("items")
    if not isinstance(items, list):
        raise error(f"{system} answered without an items list")
    return [item for item in items if isinstance(item, Mapping)]
