"""What changed between two OpenAPI 3.1 documents, and whether it breaks clients (pure: no
HTTP, no database; CPU-bound, so callers run it off the event loop).

`changes.py` is the vocabulary (Change, Level, the catalogue of rule ids), `resolve.py` the
`$ref` following both sides share; the walk of the documents and the schema comparison build
on them.
"""
