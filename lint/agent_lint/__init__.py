"""agent-lint: lint the documents multi-agent coding workflows coordinate through."""

__version__ = "0.1.0"
