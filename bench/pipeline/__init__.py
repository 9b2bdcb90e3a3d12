"""`make bench-pipeline`: outbox → relay → RabbitMQ → consumer kits."""
