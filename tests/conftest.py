"""Shared pytest configuration: fixture plugins live in tests/conftest_*.py modules."""

pytest_plugins = ["tests.conftest_telegram"]
