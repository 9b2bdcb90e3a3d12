"""The consumer kit every adapter uses: inbox, per-person order, retry, parking, dead letters.

See `kit.ConsumerKit` (composition) and `operator_api.operator_router` (resend / skip).
"""

from jumin_platform.consumer.errors import ConsumerError, PermanentError, TransientError
from jumin_platform.consumer.kit import ConsumerKit
from jumin_platform.consumer.processing import Handler
from jumin_platform.consumer.schema import consumer_ddl, install

__all__ = [
    "ConsumerError",
    "ConsumerKit",
    "Handler",
    "PermanentError",
    "TransientError",
    "consumer_ddl",
    "install",
]
