"""The inbound side's tables (feed cursor, notices taken in) and 整合性確認 results, from the
platform (jumin_platform.inbound.schema, jumin_platform.consistency.checks)."""

from jumin_platform.consistency.checks import consistency_checks_ddl
from jumin_platform.inbound.schema import inbound_ddl
from yoyo import step

__depends__ = {"0001_platform"}

steps = [
    step(inbound_ddl("koseki_adapter", grant_to="jumin_koseki_adapter")),
    step(consistency_checks_ddl("koseki_adapter", grant_to="jumin_koseki_adapter")),
]
