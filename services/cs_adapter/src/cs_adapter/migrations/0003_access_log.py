"""アクセスログ (spec 10.2) of the operator API: append-only, hash-chained, the same table as every
service's (`jumin_platform.access_log_schema`). Subjects are the person keys a request touched."""

from jumin_platform.access_log_schema import access_log_ddl
from yoyo import step

__depends__ = {"0002_deliveries"}

steps = [step(access_log_ddl("cs_adapter", grant_to="jumin_cs_adapter"))]
