"""Tests on the real RabbitMQ broker: topology, permissions, routing, retries, scale-out."""
