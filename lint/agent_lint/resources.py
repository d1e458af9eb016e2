"""The JSON Schemas and the reference AGENT-SYSTEM.md that ship with agent-lint.

Installed, they live inside the package (``agent_lint/schemas`` and
``agent_lint/data``, placed there by the wheel build); in a source checkout
they are the top-level ``schemas/`` and ``AGENT-SYSTEM.md``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


def schema_dir() -> Path:
    packaged = resources.files("agent_lint") / "schemas"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schemas"


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """A built-in schema by file name, e.g. ``parallel-pattern.schema.json``."""
    with open(schema_dir() / name, encoding="utf-8") as handle:
        return json.load(handle)


def reference_system_document() -> str:
    """agent-lint's own AGENT-SYSTEM.md: the protocol as the rules read it."""
    packaged = resources.files("agent_lint") / "data" / "AGENT-SYSTEM.md"
    path = Path(str(packaged)) if packaged.is_file() else Path(__file__).resolve().parents[2] / "AGENT-SYSTEM.md"
    return path.read_text(encoding="utf-8")
