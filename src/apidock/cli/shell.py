"""`apidock shell`: the asyncio REPL of `apidock.shell`, with the settings of the command line."""

from __future__ import annotations

import click

from apidock import shell as repl
from apidock.cli.running import read_settings


@click.command()
def shell() -> None:
    """Open a Python shell where `await` works, with app, settings, a session and the models."""
    repl.run(read_settings())
