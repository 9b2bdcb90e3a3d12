"""The delivery record (提供・移転の記録) of 附票記載事項通知 and the 手動連携 switch, the
platform's tables (`jumin_platform.deliveries.deliveries_ddl`)."""

from jumin_platform.deliveries import deliveries_ddl
from yoyo import step

__depends__ = {"0001_platform"}

steps = [
    step(deliveries_ddl("koseki_adapter", types=("fuhyo_notice",), grant_to="jumin_koseki_adapter"))
]
