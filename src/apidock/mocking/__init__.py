"""The mock server's core: pure, no HTTP, no database."""
