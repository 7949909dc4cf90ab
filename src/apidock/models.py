"""Every domain's models, so that `Base.metadata` is complete (Alembic and the shell read it
from here).

Each package's `models` module is found and imported by name, so a new domain's tables are
known without being listed here; every mapped class is then an attribute of this module
(`from apidock.models import User`).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import apidock
from apidock.db import Base


def _import_every_domains_models() -> None:
    for package in pkgutil.iter_modules(apidock.__path__):
        name = f"{apidock.__name__}.{package.name}.models"
        if package.ispkg and importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


_import_every_domains_models()
globals().update({mapper.class_.__name__: mapper.class_ for mapper in Base.registry.mappers})

__all__ = ["Base", *sorted(mapper.class_.__name__ for mapper in Base.registry.mappers)]
