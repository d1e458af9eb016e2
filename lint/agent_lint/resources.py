"""The JSON Schemas and the reference AGENT-SYSTEM.md that ship with agent-lint.

Installed, they live inside the package (``agent_lint/schemas`` and
``agent_lint/data``, placed there by the wheel build); in a source checkout
they are the top-level ``schemas/`` and ``AGENT-SYSTEM.md``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

# The package is installed as files (a wheel, never a zip), so its data sits beside this module.
_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]


@lru_cache(maxsize=None)
def schema_dir() -> Path:
    packaged = _PACKAGE / "schemas"
    return packaged if packaged.is_dir() else _CHECKOUT / "schemas"


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """A built-in schema by file name, e.g. ``parallel-pattern.schema.json``."""
    with open(schema_dir() / name, encoding="utf-8") as handle:
        return json.load(handle)


def reference_system_document() -> str:
    """agent-lint's own AGENT-SYSTEM.md: the protocol as the rules read it."""
    packaged = _PACKAGE / "data" / "AGENT-SYSTEM.md"
    path = packaged if packaged.is_file() else _CHECKOUT / "AGENT-SYSTEM.md"
    return path.read_text(encoding="utf-8")
