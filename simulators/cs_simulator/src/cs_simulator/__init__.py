"""市町村CS simulator (for tests, demo and benchmarks)."""
