"""Contract-test runs: an environment's base URL called with an app's cases, each answer
checked against the description and the case's expectations; their history and JUnit XML."""
