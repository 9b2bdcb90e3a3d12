"""What koseki_adapter reads from the 戸籍附票システム: the 戸籍 side's notices and its 附票.

`GET /koseki/v1/notifications` (cursor feed, CS's format) and `GET /koseki/v1/fuhyo` (the 附票 by
住民票コード, for the 整合性確認), over `FuhyoClient.get` (traced, path only: the query string
holds a 住民票コード). A failure raises `FuhyoUnavailable`, naming the call and the status only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import httpx
from jumin_platform.inbound.notifications import Notification
from jumin_platform.inbound.reads import feed_page, listed_items, required_object

from koseki_adapter.adapters.fuhyo_client import FuhyoClient
from koseki_adapter.domain.consistency import FuhyoLine

__all__ = ["FuhyoReads", "FuhyoUnavailable"]

SYSTEM: Final = "戸籍附票システム"
NOTIFICATIONS_PATH: Final = "/koseki/v1/notifications"
FUHYO_PATH: Final = "/koseki/v1/fuhyo"


class FuhyoUnavailable(Exception):
    """The 戸籍附票システム did not answer a read usefully (no personal data in the text)."""


class FuhyoReads:
    """Read the notice feed and the 附票 through the adapter's client."""

    def __init__(self, client: FuhyoClient) -> None:
        self._client = client

    async def notifications(self, *, after: int, limit: int) -> list[Notification]:
        """Fetch the 戸籍 side's notices after a cursor, in cursor order."""
        return await feed_page(
            self._client.get,
            NOTIFICATIONS_PATH,
            after=after,
            limit=limit,
            system=SYSTEM,
            error=FuhyoUnavailable,
        )

    async def fuhyo(self, *, after: str | None, limit: int) -> tuple[list[FuhyoLine], str | None]:
        """Fetch one page of the 附票 (people with a 住民票コード), and the code to continue after."""
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = after
        data = await self._read(FUHYO_PATH, params)
        lines = [FuhyoLine.of(item) for item in _items(data) if item.get("juminhyo_code")]
        following = data.get("next")
        return lines, str(following) if following else None

    async def _read(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.get(path, params)
        except httpx.TransportError as exc:
            raise FuhyoUnavailable(f"GET {path}: {type(exc).__name__}") from exc
        return required_object(response, what=f"GET {path}", system=SYSTEM, error=FuhyoUnavailable)


def _items(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return listed_items(data, system=SYSTEM, error=FuhyoUnavailable)
