"""Benchmarks for Jumin, one package each, run as modules (`make bench-registry` runs
`python -m bench.registry`; also `bench.pipeline`, `bench.e2e`).

- `registry`: the registry's queries over a synthetic ward (`synthetic_ward`);
- `pipeline`: outbox → relay → RabbitMQ → consumer kits;
- `e2e`: the whole slice, counter to 市町村CS (the processes of `jumin_testing.e2e`);
- `common`: what they share (CPU accounting, the bench database).
"""
