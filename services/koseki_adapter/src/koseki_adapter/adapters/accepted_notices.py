"""SQL over the delivery record for the 整合性確認: each person's latest accepted 附票記載事項通知.

"Accepted" is a delivery in status `sent` (the 戸籍附票システム answered 201/200; a 照合不一致 is
`rejected`, a hand-over `handed_over`); "latest" is the highest per-person sequence number, then
the latest record. Read a 住民票コード range at a time, in code order, as the 附票 pages come.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from jumin_platform.db import AnyConnection

__all__ = ["AcceptedNotice", "AcceptedNotices"]

NOTICE_TYPE: Final = "fuhyo_notice"

LATEST_ACCEPTED_IN_RANGE: Final = """
SELECT d.person_key, d.body
FROM koseki_adapter.deliveries d
WHERE d.type = $1 AND d.status = 'sent'
  AND d.body->>'juminhyo_code' IS NOT NULL
  AND ($2::text IS NULL OR d.body->>'juminhyo_code' > $2)
  AND ($3::text IS NULL OR d.body->>'juminhyo_code' <= $3)
  AND NOT EXISTS (
      SELECT 1 FROM koseki_adapter.deliveries later
      WHERE later.person_key = d.person_key AND later.type = d.type AND later.status = 'sent'
        AND (coalesce(later.seq, 0), later.id) > (coalesce(d.seq, 0), d.id))
ORDER BY d.body->>'juminhyo_code', d.person_key
"""


@dataclass(frozen=True)
class AcceptedNotice:
    """The body of a person's latest accepted notice, as sent."""

    person_key: str
    body: dict[str, Any]


class AcceptedNotices:
    """Read the latest accepted notices on one connection."""

    def __init__(self, connection: AnyConnection) -> None:
        self._c = connection

    async def in_range(self, after: str | None, upto: str | None) -> list[AcceptedNotice]:
        """People whose latest accepted notice has a 住民票コード in (after, upto] (None: open)."""
        rows = await self._c.fetch(LATEST_ACCEPTED_IN_RANGE, NOTICE_TYPE, after, upto)
        return [AcceptedNotice(r["person_key"], dict(r["body"])) for r in rows]
