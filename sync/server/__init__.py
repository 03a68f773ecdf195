"""The city server; its version is the distribution's (pyproject.toml), which a test holds equal."""

__version__ = "0.1.0"
