"""The real corpus: AL201 agrees with jsonschema exactly, and a whole run has no internal error.

The corpus is read-only, so the tests run on one copy of its ``.agents`` folder
(``corpus_copy``), each with its own config written beside it.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import jsonschema

from agent_lint.document import parse_document
from agent_lint.extract.session_log import session_record
from agent_lint.project import NO_ROLES
from agent_lint.model import Kind
from agent_lint.runner import CheckOptions, check
from agent_lint.schema_check import load_team_schema, validation_errors
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
    """Every error jsonschema finds, AL201 finds at the same JSON path, and reports: on its own,
    or counted in a summary (a log in another layout; items of one array failing alike)."""
    root = corpus_project(corpus_copy)
    validator = jsonschema.Draft7Validator(json.loads((corpus / SCHEMA).read_text(encoding="utf-8")))
    team = load_team_schema(root, SCHEMA)
    expected: Counter[tuple[str, str]] = Counter()
    found_by_validation: Counter[tuple[str, str]] = Counter()
    for log in sorted((corpus / ".agents" / "sessions").glob("*.json")):
        path = f".agents/sessions/{log.name}"
        doc = parse_document(path, Kind.SESSION_LOG, log.read_bytes())
        if doc.load_error is not None:
            continue  # AL003's business
        for error in validator.iter_errors(doc.data):
            expected[(path, json_path(error.absolute_path))] += 1
        for error in validation_errors(doc, session_record(doc), team).errors:
            found_by_validation[(path, error.message.split(": ", 1)[0])] += 1
    assert found_by_validation == expected
    assert len(expected) > 1000  # the corpus really has these; an empty comparison proves nothing

    _, violations = run(root, capsys, select=("AL201",))
    reported: Counter[str] = Counter()
    for v in violations:
        reported[v["path"]] += _errors_stood_for(v["message"])
        if not v["message"].startswith("not a session log"):
            assert (v["path"], v["message"].split(": ", 1)[0]) in expected
    assert reported == Counter(path for path, _ in expected.elements())


def _errors_stood_for(message: str) -> int:
    """How many schema errors one AL201 violation reports (see its docstring)."""
    lacks = re.search(r"it lacks (?:all )?(\d+)", message)
    more = re.search(r"; (\d+) more items? of ", message)
    others = re.search(r"; (\d+) other schema errors? not reported", message)
    return (int(lacks[1]) if lacks else 1) + (int(more[1]) if more else 0) + (int(others[1]) if others else 0)


# Counts judged right by hand (see the report of the session that wrote this test).
EXPECTED_COUNTS = {
    # The 1,543 errors Draft7Validator finds in the JSON logs: 21 logs in an older layout (lacking
    # 4 to 6 of the 6 required members) reported once each, items of one array failing alike once.
    "AL201": 1169,
    "AL203": 17,  # 14 IDs with '.', '_' or capitals; 3 notes that are no session logs
    # Checked protocol items whose evidence says SKIPPED / N/A without reason; not "Todo list kept
    # current" (10, a to-do list) nor "Skipped (already activated)" (2, done before).
    "AL204": 95,
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
