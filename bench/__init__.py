"""Benchmarks for Jumin (`make bench-registry` runs `python -m bench.registry`)."""
