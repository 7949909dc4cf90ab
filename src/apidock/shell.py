"""`apidock shell`: a Python REPL where top-level `await` works, with the app and a session.

The event loop runs in a thread of its own for the whole session, so the engine, its pooled
connections and the session stay on one loop from one statement to the next.
"""

from __future__ import annotations

import ast
import asyncio
import code
import inspect
import threading
import types
from concurrent.futures import Future
from typing import Any

import sqlalchemy

from apidock import models
from apidock.config import Settings
from apidock.db import Database, create_engine
from apidock.main import create_app
from apidock.permissions import Permission


class AsyncConsole(code.InteractiveConsole):
    """An interactive console that runs code holding a top-level `await` on `loop`."""

    def __init__(self, namespace: dict[str, Any], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(namespace, filename="<apidock shell>")
        self.compile.compiler.flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        self.loop = loop

    def runcode(self, code: types.CodeType) -> None:
        future: Future[Any] | None = None
        try:
            result = types.FunctionType(code, self.locals)()
            if inspect.iscoroutine(result):
                future = asyncio.run_coroutine_threadsafe(result, self.loop)
                future.result()
        except SystemExit:
            raise
        except BaseException:
            if future is not None:
                future.cancel()
            self.showtraceback()


def namespace(settings: Settings, database: Database) -> dict[str, Any]:
    """What the shell starts with: the app, the settings, a session and every model."""
    names: dict[str, Any] = {name: getattr(models, name) for name in models.__all__}
    names |= {
        "app": create_app(settings, database=database),
        "settings": settings,
        "database": database,
        "session": database.sessionmaker(),
        "select": sqlalchemy.select,
        "func": sqlalchemy.func,
        "text": sqlalchemy.text,
        "Permission": Permission,
        "asyncio": asyncio,
    }
    return names


def _enable_line_editing(names: dict[str, Any]) -> None:
    try:
        import readline
        import rlcompleter
    except ImportError:  # not on every platform; the shell works without it
        return
    readline.set_completer(rlcompleter.Completer(names).complete)
    readline.parse_and_bind("tab: complete")


def run(settings: Settings) -> None:
    """Run the shell until end of input or `exit()`, then close the session and the engine."""
    database = Database(create_engine(settings))
    names = namespace(settings, database)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="apidock-shell-loop", daemon=True)
    thread.start()
    _enable_line_editing(names)
    banner = (
        f"API Dock shell on {settings.database_backend}; `await` works at the top level.\n"
        f"Ready: app, settings, database, session (commit with `await session.commit()`),\n"
        f"select, func, text, Permission and the models: {', '.join(models.__all__)}."
    )
    try:
        AsyncConsole(names, loop).interact(banner=banner, exitmsg="")
    except SystemExit:
        pass
    finally:

        async def close() -> None:
            await names["session"].close()
            await database.dispose()

        asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
