"""The end-to-end harness: the slice's processes as real subprocesses, and clients to drive them.

Used by tests/e2e (pytest fixtures in conftest.py) and by bench/e2e (`make bench-e2e`).
"""
