"""agent-lint: lint the documents multi-agent coding workflows coordinate through."""

__version__ = "0.1.0"
DOCS_URL = "https://github.com/agent-lint/agent-lint/blob/main/README.md"
