"""The platform's tables in moj_notify: the consumer kit's (inbox, person_progress, parked,
operator_actions) and the hash-chained アクセスログ of the operator API (spec 10.2)."""

from jumin_platform.access_log_schema import access_log_ddl
from jumin_platform.consumer import consumer_ddl
from yoyo import step

steps = [
    step(consumer_ddl("moj_notify", grant_to="jumin_moj_notify")),
    step(access_log_ddl("moj_notify", grant_to="jumin_moj_notify")),
]
