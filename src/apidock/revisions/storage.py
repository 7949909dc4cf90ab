"""What a revision stores, and a revision's document read back from it.

A revision holds either a snapshot (the whole document) or a patch (RFC 6902 operations from
the document of the revision before it, `patches`), zlib-compressed JSON either way. Revision
n is read from the newest snapshot at or before n and the patches after it, applied in order.

When a snapshot is written instead of a patch:
- the app's first revision, and any revision whose previous one cannot be read;
- when the patches since the last snapshot would add up to more bytes than that snapshot
  (storing the whole would then cost less than reading the chain);
- when MAX_PATCHES_PER_SNAPSHOT patches follow the last one already: what reading any
  revision costs is bounded (a 1 MB document decodes in about 12 ms, a small patch in
  microseconds; bench/revisions_speed.py measures the whole read);
- when the patch does not rebuild the document exactly (`patches`: `==` holds 1 equal to
  true), which a patch is checked for before it is stored.
With one-field edits of a 1 MB description (570 KB of compact JSON, 41 KB compressed),
each revision stores a patch of about 150 bytes plus a hundredth of a snapshot.

JSON is encoded with orjson, key order kept (the bytes of an export depend on it). orjson
refuses integers past 64 bits, which a document may hold (SPEC's import takes 4,300 digits);
such a value is encoded by the json module instead, behind one leading space (still JSON),
so that it is decoded by the json module too: orjson would read it back as a float.

The hash is SHA-256 of the canonical JSON, keys sorted: equal documents, equal hashes,
whatever the order of their members.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.revisions.models import Revision
from apidock.revisions.patches import PatchError, apply_patch, make_patch

MAX_PATCHES_PER_SNAPSHOT = 100
_COMPRESSION_LEVEL = 6
_WIDE = b" "
# Documents rebuilt, diffed, hashed and compressed at once per process: pure Python holding
# the GIL, so more threads would go no faster and only take the event loop's turns.
_THREADS = anyio.CapacityLimiter(2)
T = TypeVar("T")


async def off_loop(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a worker thread (CPU work on a document: never on the event loop)."""
    return await anyio.to_thread.run_sync(work, *args, limiter=_THREADS)


class DamagedRevision(RuntimeError):
    """A revision's stored content cannot be read back (a missing row, a patch that does not
    fit): a fault of the database, never of a request."""


def encode(value: Any) -> bytes:
    """`value` as compact JSON, key order kept (see the module for integers past 64 bits)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return _WIDE + text.encode()


def decode(text: bytes) -> Any:
    """The value `encode` gave `text` for."""
    if text.startswith(_WIDE):
        return json.loads(text)
    return orjson.loads(text)


def content_hash(document: Any) -> str:
    """SHA-256 (hex) of `document`'s canonical JSON: compact, keys sorted."""
    try:
        canonical = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        text = json.dumps(
            document, ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=True
        )
        canonical = text.encode()
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True, slots=True)
class Chain:
    """What reading a revision took: the snapshot's stored size and the patches after it."""

    snapshot_bytes: int
    patches: int
    patch_bytes: int


@dataclass(slots=True)
class Stored:
    """A revision's document read back, with the chain it was read from."""

    document: Any
    hash: str
    chain: Chain


@dataclass(frozen=True, slots=True)
class Content:
    """What a new revision stores: its hash and either a snapshot or a patch."""

    hash: str
    snapshot: bytes | None
    patch: bytes | None


def new_content(
    previous: Stored | None, document: Any, *, skip_same: bool = False
) -> Content | None:
    """What the revision of `document` after `previous` stores (see the module for when it
    is a snapshot); None when `skip_same` and the document's hash is `previous`'s.

    CPU work for a large document: run in a worker thread. `previous.document` is used up
    (the patch is applied to it, to be checked).
    """
    digest = content_hash(document)
    if previous is None:
        return _snapshot(digest, document)
    if skip_same and digest == previous.hash:
        return None
    chain = previous.chain
    if chain.patches >= MAX_PATCHES_PER_SNAPSHOT:
        return _snapshot(digest, document)
    operations = make_patch(previous.document, document)
    patch = zlib.compress(encode(operations), _COMPRESSION_LEVEL)
    if chain.patch_bytes + len(patch) > chain.snapshot_bytes:
        return _snapshot(digest, document)
    try:
        rebuilt = apply_patch(previous.document, operations)
    except PatchError:
        return _snapshot(digest, document)
    if encode(rebuilt) != encode(document):
        return _snapshot(digest, document)
    return Content(hash=digest, snapshot=None, patch=patch)


def _snapshot(digest: str, document: Any) -> Content:
    return Content(
        hash=digest, snapshot=zlib.compress(encode(document), _COMPRESSION_LEVEL), patch=None
    )


def bound(data: bytes | None, dialect: str) -> Any:
    """`data` as a value to write on `dialect`: on MariaDB and MySQL hex text that the
    server turns back into bytes (`UNHEX`), because aiomysql 0.3 cannot bind bytes with
    PyMySQL 1.2 (the escaping function it imports for them is gone). Reading is unaffected."""
    if data is None or dialect not in ("mysql", "mariadb"):
        return data
    return func.unhex(data.hex())


def rebuild(rows: Sequence[tuple[bytes | None, bytes | None]]) -> tuple[Any, Chain]:
    """The document of the last of `rows` (snapshot, patch), the first being a snapshot and
    each later one a patch; DamagedRevision when they do not make one. CPU work: run in a
    worker thread."""
    if not rows or rows[0][0] is None:
        raise DamagedRevision("no snapshot to read the revision from")
    snapshot = rows[0][0]
    try:
        document = decode(zlib.decompress(snapshot))
        patch_bytes = 0
        for _, patch in rows[1:]:
            if patch is None:
                raise DamagedRevision("a revision after a snapshot holds no patch")
            patch_bytes += len(patch)
            document = apply_patch(document, decode(zlib.decompress(patch)))
    except (zlib.error, ValueError) as error:
        raise DamagedRevision(f"a revision's content cannot be read: {error}") from None
    return document, Chain(len(snapshot), len(rows) - 1, patch_bytes)


async def read(session: AsyncSession, *, app_id: int, number: int) -> Stored | None:
    """Revision `number` of app `app_id` read back (None when there is no such revision).

    Two statements on the (app, number) index: the newest snapshot at or before `number`,
    then its rows up to `number`. The rebuild runs in a worker thread.
    """
    found = await session.execute(
        select(Revision.hash).where(Revision.app_id == app_id, Revision.number == number)
    )
    digest = found.scalar_one_or_none()
    if digest is None:
        return None
    base = await session.scalar(
        select(func.max(Revision.number)).where(
            Revision.app_id == app_id, Revision.number <= number, Revision.snapshot.is_not(None)
        )
    )
    if base is None:
        raise DamagedRevision(f"revision {number} of app {app_id} follows no snapshot")
    rows = await session.execute(
        select(Revision.number, Revision.snapshot, Revision.patch)
        .where(Revision.app_id == app_id, Revision.number.between(base, number))
        .order_by(Revision.number)
    )
    chain = [(row.number, row.snapshot, row.patch) for row in rows]
    if [row[0] for row in chain] != list(range(base, number + 1)):
        raise DamagedRevision(f"revisions {base} to {number} of app {app_id} are not all there")
    document, read_chain = await off_loop(rebuild, [(row[1], row[2]) for row in chain])
    return Stored(document=document, hash=digest, chain=read_chain)
