"""The mock server of every documented app: its keys, its log, and the ASGI server that answers
from the description (`apidock.mocking` is its pure core)."""
