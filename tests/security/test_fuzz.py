"""A bounded fuzz run in CI: a few thousand generated and mutated documents, every output format.

The same generator and invariants as ``python -m benchmarks.fuzz`` (which
runs 100,000): every run ends with exit 0 or 1 and nothing on stderr, prints
no control character and no forged line, parses, agrees across formats and
with its cache. ``AGENT_LINT_FUZZ_SEED`` picks other documents.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.fuzz import fuzz  # noqa: E402

DOCUMENTS = 3000


def test_thousands_of_hostile_documents_break_nothing(tmp_path):
    seed = int(os.environ.get("AGENT_LINT_FUZZ_SEED", "20260302"))
    messages: list[str] = []
    assert fuzz(DOCUMENTS, seed, 500, tmp_path, log=messages.append, checkout=False) == 0, "\n".join(messages[-3:])
