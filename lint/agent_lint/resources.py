"""The JSON Schemas that ship with agent-lint.

Installed, they live inside the package (``agent_lint/schemas``, placed there
by the wheel build); in a source checkout they are the top-level ``schemas/``.
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
