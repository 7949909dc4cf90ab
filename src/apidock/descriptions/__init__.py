"""API descriptions as documents: reading them safely, converting every format to OpenAPI 3.1,
resolving and checking their references, validating them.

Nothing here knows HTTP or a database: a document goes in as bytes or as a JSON value, and
comes out as an OpenAPI 3.1 JSON value with a `Report` of what was changed (`warnings`) and
what could not be carried (`lost`), or a `DocumentRefused` naming each problem by its JSON
Pointer into the document as sent.
"""
