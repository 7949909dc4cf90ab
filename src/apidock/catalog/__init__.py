"""What the catalog's domains (apps, groups, apis) share, below them all: the bodies' common
pieces, who may read and write the catalog, the change-and-audit steps of their services, and
the soft-delete cascade each domain declares its own part of. A domain imports these, never a
sibling domain for them."""
