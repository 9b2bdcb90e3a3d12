"""Reading an external system's JSON answers (CS, 戸籍附票システム): objects, item lists.

Failures raise the caller's "unavailable" exception with a text naming the call, the system and
the status — never a body (it may hold personal data).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from jumin_platform.deliveries.http import json_object
from jumin_platform.inbound.notifications import Notification, notification_from

__all__ = ["Get", "feed_page", "listed_items", "required_object"]

Get = Callable[[str, Mapping[str, Any]], Awaitable[httpx.Response]]
"""One traced GET of the system's client (path, query); transport errors propagate."""


async def feed_page(
    get: Get, path: str, *, after: int, limit: int, system: str, error: type[Exception]
) -> list[Notification]:
    """One page of a cursor feed (`{"items": [...], "next"}`) after `after`, in cursor order."""
    try:
        response = await get(path, {"after": after, "limit": limit})
    except httpx.TransportError as exc:
        raise error(f"GET {path}: {type(exc).__name__}") from exc
    data = required_object(response, what=f"GET {path}", system=system, error=error)
    try:
        return [notification_from(item) for item in listed_items(data, system=system, error=error)]
    except (KeyError, ValueError) as exc:
        raise error(f"GET {path}: an item without cursor/id") from exc


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
