"""The delivery record (提供・移転の記録) of 市町村通知 and 市町村伝達 with the 手動連携 switch, and
the feed cursor and 取込の記録 of what the ministry sends back (処理結果, 長官通知) — the
platform's tables (`jumin_platform.deliveries`, `jumin_platform.inbound.schema`)."""

from jumin_platform.deliveries import deliveries_ddl
from jumin_platform.inbound.schema import inbound_ddl
from yoyo import step

__depends__ = {"0001_platform"}

steps = [
    step(
        deliveries_ddl(
            "moj_notify",
            types=("municipal_notice", "municipal_transmission"),
            grant_to="jumin_moj_notify",
        )
    ),
    step(inbound_ddl("moj_notify", grant_to="jumin_moj_notify")),
]
