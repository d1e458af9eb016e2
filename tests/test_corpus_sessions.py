"""The real corpus: AL201 agrees with jsonschema exactly, and a whole run has no internal error.

The corpus is read-only, so the tests run on one copy of its ``.agents`` folder
(``corpus_copy``), each with its own config written beside it.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from agent_lint.project import NO_ROLES
from agent_lint.runner import CheckOptions, check
from agent_lint.schema_errors import json_path

SCHEMA = ".agents/schemas/session-log.schema.json"

# The corpus's own layout: JSON logs (and legacy Markdown ones) in .agents/sessions, a frozen
# dashboard HANDOFF, per-issue handoffs with their own template, per-branch notes.
CONFIG = f"""\
session-logs = [".agents/sessions/*.json", ".agents/sessions/*.md"]
handoff = [".agents/HANDOFF.md", ".agents/sessions/handoffs/*-handoff.md", ".agents/handoffs/**/*.md"]
system-document = ".agents/AGENT-SYSTEM.md"
session-log-schema = "{SCHEMA}"
handoff-mode = "read-only"

[rules.handoff-section-missing]
required-sections = ["Status", "Files Modified", "Decisions Made", "Blocked Items", "Next Steps",
                     "Context for Next Session", "Verification on Resume", "Related"]

[per-file-ignores]
# The dashboard and the per-branch notes follow no template.
".agents/HANDOFF.md" = ["AL301"]
".agents/handoffs/**" = ["AL301"]
# Markdown logs predate the JSON schema; the migrated ones are .json.
".agents/sessions/*.md" = ["AL201"]
"""


def corpus_project(root: Path, config: str = CONFIG) -> Path:
    (root / "agent-lint.toml").write_text(config, encoding="utf-8")
    return root


# The corpus's logs keep no role, orchestrator or dispatch list where agent-lint looks (nor
# under "session", where its schema keeps a session's facts): said once, not per log.
NOTE = f"agent-lint: note: {NO_ROLES}\n"


def run(root: Path, capsys, **options) -> tuple[int, list[dict]]:
    out = io.StringIO()
    code = check(CheckOptions(config=root / "agent-lint.toml", output_format="json", cwd=root,
                              no_cache=True, **options), out=out)
    assert capsys.readouterr().err == ("" if options.get("select") == ("AL201",) else NOTE)
    return code, json.loads(out.getvalue())["violations"]


def test_al201_flags_exactly_what_jsonschema_flags(corpus, corpus_copy, capsys):
    root = corpus_project(corpus_copy)
    validator = jsonschema.Draft7Validator(json.loads((corpus / SCHEMA).read_text(encoding="utf-8")))
    expected: Counter[tuple[str, str]] = Counter()
    for log in sorted((corpus / ".agents" / "sessions").glob("*.json")):
        try:
            data = json.loads(log.read_text(encoding="utf-8"))
        except ValueError:
            continue  # AL003's business
        for error in validator.iter_errors(data):
            expected[(f".agents/sessions/{log.name}", json_path(error.absolute_path))] += 1

    _, violations = run(root, capsys, select=("AL201",))
    found = Counter((v["path"], v["message"].split(": ", 1)[0]) for v in violations)
    assert {path for path, _ in found} == {path for path, _ in expected}
    assert found == expected
    assert len(expected) > 1000  # the corpus really has these; an empty comparison proves nothing


# Counts judged right by hand (see the report of the session that wrote this test).
EXPECTED_COUNTS = {
    "AL201": 1543,  # = direct Draft7Validator errors over the JSON logs
    "AL203": 17,  # 14 IDs with '.', '_' or capitals; 3 notes that are no session logs
    "AL204": 107,  # checked protocol items whose evidence says SKIPPED / N/A without reason
    "AL301": 5,  # per-issue handoffs missing sections of their own template
    "AL303": 1,  # a 59 KB per-issue handoff
    "AL305": 5,  # dashboard links to .md logs that were migrated to .json
}


def test_whole_corpus_runs_without_internal_errors(corpus_copy, capsys):
    root = corpus_project(corpus_copy)
    code, violations = run(root, capsys)
    assert code == 1
    counts = Counter(v["code"] for v in violations if v["code"][:3] in ("AL2", "AL3"))
    assert dict(counts) == EXPECTED_COUNTS
    renamed = [v for v in violations if v["code"] == "AL305"]
    assert all("the log is now '.agents/sessions/" in v["message"] for v in renamed)


def test_default_conventions_on_the_corpus_run_without_internal_errors(corpus_copy, capsys):
    """With no team schema or layout settings, every file still loads and every rule runs."""
    root = corpus_project(corpus_copy, config='session-logs = [".agents/sessions/*.json", ".agents/sessions/*.md"]\n')
    code, violations = run(root, capsys)
    assert code == 1 and violations
