"""`python -m apidock`, the same as the `apidock` command."""

from apidock.cli import main

main()
