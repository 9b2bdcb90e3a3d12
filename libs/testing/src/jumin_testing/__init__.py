"""Test support for Jumin's tests and benchmarks (imported by tests and bench/ only, never by a service).

- `waiting.eventually`: poll until an asynchronous outcome holds;
- `broker`: throwaway RabbitMQ vhosts carrying the topology and the real users' permissions;
- `kit_schema`: a fresh consumer-kit schema in a test database;
- `fuzzing`, `access_log_tamper`: what the services' API fuzz and access-log tests share;
- `e2e`: the end-to-end harness (the slice's processes, and clients to drive them).
"""
