"""API Dock: document the HTTP APIs of your applications and test them."""

__version__ = "0.1.0"
