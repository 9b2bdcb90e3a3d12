"""Test support for the services built on the platform kit (imported by tests only, never by a service)."""
