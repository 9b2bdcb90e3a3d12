"""Failure tests with real processes: the outbox relay killed, RabbitMQ and PostgreSQL restarted."""
