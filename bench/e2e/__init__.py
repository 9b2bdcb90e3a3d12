"""`make bench-e2e`: approved changes through the whole slice, counter to 市町村CS."""
