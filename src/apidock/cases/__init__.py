"""Contract-test cases of an API: the request a run sends (parameters, query, headers, a body
or a documented example) and what its answer must show (`expect`)."""
