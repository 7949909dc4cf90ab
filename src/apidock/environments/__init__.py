"""Environments of an app: where its contract tests run (a base URL), the variables and the
encrypted, write-only secrets their cases name, and the private `host:port`s an
administrator lets a run reach."""
