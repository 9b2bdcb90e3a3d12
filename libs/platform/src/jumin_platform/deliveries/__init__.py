"""The delivery record (提供・移転の記録) an adapter keeps of what it sent an external system.

Shared by cs_adapter and koseki_adapter: the records and reply rules (`records`), the tables
(`schema.deliveries_ddl`), their SQL (`ledger.DeliveryLedger`), sending one message in the
consumer kit's handler (`sending`), the operator's use cases (`resend`, `held`: 再送信, 手動連携,
hand-over) and their routes (`api.deliveries_router`).
"""

from jumin_platform.deliveries.ledger import DeliveryFilter, DeliveryLedger, ManualMode
from jumin_platform.deliveries.ports import (
    LedgerUnit,
    LedgerUnits,
    PlainKeeping,
    RecordKeeping,
    Transmitter,
    current_trace_id,
    new_record,
)
from jumin_platform.deliveries.records import (
    STATUS_OF,
    Delivery,
    DeliveryStatus,
    NewDelivery,
    Outgoing,
    Reply,
    ReplyClass,
    classify,
    should_hold,
)
from jumin_platform.deliveries.refusals import (
    HandOverOutOfOrder,
    ManualModeOn,
    NothingFound,
    OperatorRefusal,
    TooMany,
)
from jumin_platform.deliveries.schema import deliveries_ddl

__all__ = [
    "STATUS_OF",
    "Delivery",
    "DeliveryFilter",
    "DeliveryLedger",
    "DeliveryStatus",
    "HandOverOutOfOrder",
    "LedgerUnit",
    "LedgerUnits",
    "ManualMode",
    "ManualModeOn",
    "NewDelivery",
    "NothingFound",
    "OperatorRefusal",
    "Outgoing",
    "PlainKeeping",
    "RecordKeeping",
    "Reply",
    "ReplyClass",
    "TooMany",
    "Transmitter",
    "classify",
    "current_trace_id",
    "deliveries_ddl",
    "new_record",
    "should_hold",
]
