"""Revisions, releases and diffs of an app's description (SPEC, "Revisions, releases and
diff"; issue 17).

Every transaction that changes an app's description (an import, new or replacing; any
catalog write: apps, components, groups, APIs, the flat response fields and examples, their
deletes; a restore) adds exactly one revision of that app, numbered from 1 per app, written
just before the transaction commits (`recording`). Reads, releases, diffs and the views
built lazily add none.

The design:
- Tables (`models`): `revisions` (app, number unique per app, author, created_at, a one-line
  summary, the SHA-256 `hash` of the document's canonical JSON, and the content: a
  zlib-compressed `snapshot` of the whole document or a `patch` of RFC 6902 operations from
  the revision before), `revision_heads` (the app's latest number: the row whose UPDATE
  orders two writers of one app) and `releases` (a version named on a revision).
- What is kept (`documents`): the bare document, as the export reads it, without the mock
  server the export adds to a document without servers; a revision's `openapi.json` adds it
  back as the export does, so that the export after restoring a revision is its bytes.
- Storage (`storage`, `patches`): revision n is read from the newest snapshot at or before n
  and the patches after it. A patch is made and applied by this package's own RFC 6902 code
  (linear in the document, keeping key order); a snapshot is written instead when the patches
  since the last would outweigh it, after MAX_PATCHES_PER_SNAPSHOT patches, or when a patch
  would not rebuild the document exactly. bench/revisions_speed.py measures the bytes a
  one-field edit of a 1 MB description stores and the time to read any of 1,000 revisions.
- When (`recording`): an `after_flush` listener notes the audit rows of the actions that
  change a description and a step registered with `db.engine.before_commit` writes the
  revisions, in app id order, the head row's lock taken among the transaction's last
  statements. A change of settings alone (an `app.update` that leaves the hash) makes none.
- Routes (`router`, `service`): the history, one revision and its document, restore (the
  import's replace of the app with the revision's document, in the same transaction),
  releases and their documents, and the diff of any two (revision numbers or release
  versions; `diffing` compares them, off the event loop).
- The import gate (`gate`): `POST /apps/import?app_id=N&fail_on=breaking|warning` is refused
  with 409 and the changes at or above the threshold, writing nothing, when the document
  breaks the app's latest release.
- The command line: `apidock diff OLD NEW` (`apidock.cli.diff`).
"""
