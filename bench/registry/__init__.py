"""`make bench-registry`: the registry's queries over a synthetic ward."""
