"""Fixtures of the command-line tests, those of tests/test_cli.py: a clean environment in
`tmp_path` (the project directory too, so that no `.env` of the checkout is read), a database on
each server under a name of this process, and `at_head`: the SQLite database already migrated."""

from tests.test_cli import at_head, database_url, environment, head_database

__all__ = ["at_head", "database_url", "environment", "head_database"]
