"""The consumer kit's tables (inbox, person_progress, parked, operator_actions) in cs_adapter."""

from jumin_platform.consumer import consumer_ddl
from yoyo import step

steps = [step(consumer_ddl("cs_adapter", grant_to="jumin_cs_adapter"))]
