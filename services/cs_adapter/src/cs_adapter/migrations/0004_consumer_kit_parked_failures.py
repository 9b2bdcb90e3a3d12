"""The consumer kit's DDL again (idempotent): adds `parked.failures`, the count that lets the kit
dead-letter a parked message failing for ever instead of retrying it at every sweep."""

from jumin_platform.consumer import consumer_ddl
from yoyo import step

steps = [step(consumer_ddl("cs_adapter", grant_to="jumin_cs_adapter"))]
