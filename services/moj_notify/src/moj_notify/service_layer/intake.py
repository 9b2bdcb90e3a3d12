"""Take one `moj.municipal_notice` onto the schedule: the consumer kit's handler.

Runs inside the kit's transaction, on its connection: the notices the event asks for (市町村通知,
and 市町村伝達 for a 住居地届出) are mapped and scheduled together with the kit's inbox row, so an
event is scheduled exactly once; the dispatcher is woken when that transaction commits
(NOTIFY). Nothing is sent here — sending, holding and retrying are the dispatcher's.

A 国籍・地域 the code table does not hold is a `PermanentError`: the kit dead-letters the event
and holds the person's later ones until an operator resends it (once the table has the name) or
skips it (the kit's operator routes).
"""

from __future__ import annotations

from typing import Any

from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import MojMunicipalNotice, RecipientMessage
from jumin_platform.consumer import PermanentError

from moj_notify.adapters.schedule import Schedule, ScheduledIds
from moj_notify.domain.nationalities import UnknownNationality
from moj_notify.domain.notices import plan_notices

__all__ = ["schedule_notices"]


async def schedule_notices(envelope: Envelope, payload: RecipientMessage, connection: Any) -> None:
    """Schedule the event's notices in the kit's transaction."""
    if not isinstance(payload, MojMunicipalNotice):
        raise PermanentError(f"no 市町村通知 for {type(payload).__name__}")
    try:
        planned = plan_notices(envelope, payload)
    except UnknownNationality as exc:
        raise PermanentError(str(exc)) from exc
    event = ScheduledIds(envelope.event_id, envelope.person_key, envelope.seq, envelope.kind.value)
    schedule = Schedule(connection)
    for notice in planned:
        await schedule.add(event, notice)
