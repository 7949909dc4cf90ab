"""Users of each seeded role, with their bearer headers: the catalog's fixtures."""

from tests.catalog.conftest import (  # noqa: F401  (fixtures)
    admin,
    admin_auth,
    dev_auth,
    developer,
    reader,
    reader_auth,
)
