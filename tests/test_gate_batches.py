"""``agent-lint batches`` and the github step summary: Mermaid diagrams of the batches of a range."""

from __future__ import annotations

import io
import re

import pytest

from agent_lint.report.mermaid import label
from agent_lint.cli import run
from agent_lint.runner import CheckOptions, check
from test_gate_rules import (  # noqa: F401 - repo is a fixture
    API, DOCS, HANDOFF_START, ORCH, Batch, at_entry, described, gate_rows, log_path, markdown_log, repo,
)
from test_history import Repo, isolated_git  # noqa: F401 - the fixture keeps git config out

# Every line a diagram may hold: the header, class definitions, nodes with a
# quoted label, and edges between generated node names.
LABEL = r'"[^"\[\]`<>{}|#]*(?:(?:#\d+;|<br/>)[^"\[\]`<>{}|#]*)*"'
GRAMMAR = re.compile(
    r"flowchart LR"
    r"|  classDef \w+ [\w:#,.-]+"
    rf"|  n\d+\[{LABEL}\](?::::\w+)?"
    rf"|  n\d+ (?:-->|-->\|{LABEL}\||-\.->\|{LABEL}\|) n\d+"
)
CRAFTED = 'api: "quoted" ]) --> x[( #1 %% <script>&amp; ``` end;'  # under 60: not shortened


def mermaid_blocks(markdown: str) -> list[list[str]]:
    return [block.split("\n") for block in re.findall(r"^```mermaid\n(.*?)\n```$", markdown, re.S | re.M)]


def decoded(line: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), line)


def test_label_escapes_everything_that_could_end_it():
    assert label(CRAFTED, "two\nlines\tand\u202econtrols", "é 漢字") == (
        '"api: #34;quoted#34; #93;#41; --#62; x#91;#40; #35;1 #37;#37; #60;script#62;#38;amp#59;'
        ' #96;#96;#96; end#59;<br/>two lines and controls<br/>é 漢字"'
    )


@pytest.fixture
def broken(repo):
    """A batch whose update misses DOCS, and whose API log has a crafted subject."""
    batch = Batch(repo)
    batch.dispatch()
    api = batch.worker(API, CRAFTED)
    batch.update(ORCH, API)
    late = batch.worker(DOCS)
    return repo, api, late


def test_batches_prints_one_valid_diagram_with_the_violations_marked(broken, monkeypatch, capsys):
    repo, api, late = broken
    monkeypatch.chdir(repo.path)

    assert run(["batches", "--since", "main", "--no-cache", "--format", "mermaid"]) == 0
    out = capsys.readouterr().out
    (block,) = mermaid_blocks(out)
    assert [line for line in block if not GRAMMAR.fullmatch(line)] == []
    assert out.startswith(f"### Parallel batches in main..HEAD\n\n#### Batch {ORCH}\n\n"
                          "3 session logs, 1 HANDOFF commit; violations: AL403, AL404.\n\n"
                          f"Evidence: {ORCH}: orchestrator by its log's Role.\n\n```mermaid\n")
    nodes = {decoded(line) for line in block if "[" in line}
    # The crafted subject survives, shown as written, inside one label.
    assert any(f'{described(repo, api)}"]' in node for node in nodes)
    marked = sorted(node.split("[", 1)[1] for node in nodes if node.endswith(":::violation"))
    assert marked == [
        f'"{described(repo, late)}<br/>AL403"]:::violation',
        f'"HANDOFF update<br/>{described(repo, repo.git("rev-parse", "HEAD~1"))}<br/>'
        f'Session-Ids: {ORCH}, {API}<br/>AL403 AL404"]:::violation',
    ]
    assert sum("-.->" in line for line in block) == 1  # the late log, not before the update
    # Each pair of nodes is joined once: the orchestrator's update is the labelled edge alone.
    pairs = [(line.split()[0], line.split()[-1]) for line in block if re.fullmatch(r"  n\d+ -.*n\d+", line)]
    assert len(pairs) == len(set(pairs))
    assert sum("updates HANDOFF" in line for line in block) == 1


def test_batches_prints_a_text_tree_by_default(broken, monkeypatch, capsys):
    repo, api, late = broken
    monkeypatch.chdir(repo.path)
    update = repo.git("rev-parse", "HEAD~1")
    assert run(["batches", "--since", "main", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "flowchart" not in out and "\x1b" not in out
    short = described(repo, update).split()[0]
    assert out.splitlines() == [
        "Parallel batches in main..HEAD",
        "",
        f"Batch {ORCH}: 3 session logs, 1 HANDOFF commit; violations: AL403, AL404.",
        f"Evidence: {ORCH}: orchestrator by its log's Role.",
        "Timing: no worker log gives a Started and a Completed time, so no figures.",
        f"├── orchestrator {ORCH}  {log_path(ORCH)}",
        f"│   └── {described(repo, repo.git('rev-parse', 'HEAD~3'))}",
        f"├── worker {API}  {log_path(API)}",
        f"│   └── {described(repo, api)}",
        f"├── worker {DOCS}  {log_path(DOCS)}",
        f"│   └── {described(repo, late)}  not before {short}  [AL403]",
        "└── HANDOFF commits",
        f"    └── {described(repo, update)}  HANDOFF update, Session-Ids: {ORCH}, {API}  [AL403 AL404]",
    ]


def test_the_tree_is_coloured_on_a_terminal_only(broken, monkeypatch, capsys):
    from agent_lint.terminal import plain

    repo, _, _ = broken
    monkeypatch.chdir(repo.path)
    run(["batches", "--since", "main", "--no-cache"])
    piped = capsys.readouterr().out
    monkeypatch.setenv("FORCE_COLOR", "1")
    run(["batches", "--since", "main", "--no-cache"])
    coloured = capsys.readouterr().out
    assert "\x1b[31m[AL403]\x1b[0m" in coloured and plain(coloured) == piped


def test_batches_of_an_unknown_format_is_a_usage_error(broken, monkeypatch, capsys):
    monkeypatch.chdir(broken[0].path)
    assert run(["batches", "--since", "main", "--format", "svg"]) == 2
    assert capsys.readouterr().err == "agent-lint: error: batches prints text, mermaid or json, not 'svg'\n"


def test_diagram_marks_only_what_was_reported(broken, monkeypatch, capsys):
    repo, _, _ = broken
    (repo.path / ".agent-lint.toml").write_text('select = ["AL4"]\nignore = ["AL403"]\n', encoding="utf-8")
    monkeypatch.chdir(repo.path)

    assert run(["batches", "--since", "main", "--no-cache", "--format", "mermaid"]) == 0
    out = capsys.readouterr().out
    assert "violations: AL404." in out
    assert "AL403" not in out


def test_range_without_batches(repo, monkeypatch, capsys):
    repo.git("checkout", "-q", "-b", "other")
    repo.commit("unrelated\n", {"notes.txt": "x\n"})
    monkeypatch.chdir(repo.path)

    assert run(["batches", "--since", "main"]) == 0
    assert capsys.readouterr().out == "Parallel batches in main..HEAD\n\nNo session log or HANDOFF changes in this range.\n"
    assert run(["batches", "--since", "main", "--format", "mermaid"]) == 0
    assert capsys.readouterr().out == "### Parallel batches in main..HEAD\n\nNo session log or HANDOFF changes in this range.\n"


def test_batches_needs_since(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo.path)
    assert run(["batches"]) == 2
    assert "--since" in capsys.readouterr().err


def test_github_step_summary_holds_the_table_and_the_diagram(broken, tmp_path, monkeypatch):
    repo, _, _ = broken
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = io.StringIO()

    assert check(CheckOptions(output_format="github", cwd=repo.path, since="main", no_cache=True), out=out) == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## agent-lint\n\nFound 2 violations")
    table, diagrams = text.split("### Parallel batches in main..HEAD\n", 1)
    assert "| AL403 | error |" in table and "| AL404 | error |" in table
    (block,) = mermaid_blocks(diagrams)
    assert [line for line in block if not GRAMMAR.fullmatch(line)] == []
    assert sum(line.endswith(":::violation") for line in block) == 2
    assert out.getvalue().count("::error file=") == 2


def test_github_step_summary_without_since_has_no_diagram(broken, tmp_path, monkeypatch):
    repo, _, _ = broken
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    check(CheckOptions(output_format="github", cwd=repo.path, no_cache=True), out=io.StringIO())
    text = summary.read_text(encoding="utf-8")
    assert text == "## agent-lint\n\nAll checks passed (4 files checked).\n\n"


def test_large_batch_is_summarized_in_messages_and_diagrams(repo, monkeypatch, capsys):
    batch = Batch(repo)
    batch.dispatch()
    workers = [f"{ORCH}-w{n:02d}" for n in range(32)]
    repo.commit("workers: logs\n", {log_path(w): markdown_log(w, "worker") for w in workers})
    update = batch.update(ORCH)

    assert gate_rows(repo) == [
        at_entry("AL404", f"Session-Ids trailer of {described(repo, update)} does not list"
                          f" {', '.join(workers[:10])} and 22 more of batch {ORCH}"),
    ]
    monkeypatch.chdir(repo.path)
    assert run(["batches", "--since", "main", "--no-cache", "--format", "mermaid"]) == 0
    (block,) = mermaid_blocks(capsys.readouterr().out)
    assert [line for line in block if not GRAMMAR.fullmatch(line)] == []
    assert sum('["worker<br/>' in line for line in block) == 29  # and the orchestrator: 30 drawn
    assert any(line.endswith('["3 more session logs, not drawn"]') for line in block)


def test_an_update_that_also_completes_the_orchestrators_log_is_one_edge(repo, monkeypatch, capsys):
    batch = Batch(repo)
    batch.dispatch()
    batch.worker(API)
    batch.worker(DOCS)
    batch.update(ORCH, API, DOCS, extra={log_path(ORCH): markdown_log(ORCH, "orchestrator")})
    monkeypatch.chdir(repo.path)
    assert run(["batches", "--since", "main", "--no-cache", "--format", "mermaid"]) == 0
    (block,) = mermaid_blocks(capsys.readouterr().out)
    edges = [line.split() for line in block if re.fullmatch(r"  n\d+ -.*n\d+", line)]
    assert sum(e[0] == "n0" and "HANDOFF" in " ".join(e) for e in edges) == 1
    assert len({(e[0], e[-1]) for e in edges}) == len(edges)


def test_sequential_sessions_are_a_table_not_a_fan_out(tmp_path, monkeypatch, capsys):
    from history_harness import CASES, build

    repo, commits, since = build(CASES / "sequential-sessions-update-once", tmp_path)
    monkeypatch.chdir(repo.path)

    assert run(["batches", "--since", since, "--no-cache", "--format", "mermaid"]) == 0
    out = capsys.readouterr().out
    assert mermaid_blocks(out) == []
    short = {name: repo.git("log", "-1", "--format=%h", sha) for name, sha in commits.items()}
    assert out.split("\n\n", 1)[1] == (
        "No parallel batch: nothing in this range says that sessions ran in parallel.\n\n"
        "#### Single sessions\n\n"
        "| Session | Log committed in | HANDOFF updates | Violations |\n"
        "| --- | --- | --- | --- |\n"
        f"| 2025-12-18-session-03-workflow | {short['s1']} | {short['s1']} | - |\n"
        f"| 2025-12-18-session-04-debugging | {short['s2-log']} | {short['s2']} | - |\n"
        f"| 2025-12-18-session-05-formatter | {short['s3']} | {short['s3']} | - |\n"
    )


# ----------------------------------------------------------------------------
# What parallelism saved: the gantt chart, the table, the JSON figures

GANTT = re.compile(
    r"gantt|  dateFormat YYYY-MM-DD HH:mm:ss|  axisFormat %H:%M|  todayMarker off"
    r"|  (?:title|section) [\w .-]*(?:#\d+;[\w .-]*)*"
    r"|  [\w .-]+(?:#\d+;[\w .-]*)* :(?:crit, )?t\d+, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
)


@pytest.fixture
def measured(tmp_path, monkeypatch):
    """Three 10-minute workers within 12 minutes (tests/fixtures/history/batch-saving-measured)."""
    from history_harness import CASES, build

    repo, _, since = build(CASES / "batch-saving-measured", tmp_path)
    monkeypatch.chdir(repo.path)
    return repo, since


def test_the_figures_are_exact_in_json(measured, capsys):
    import json

    repo, since = measured
    assert run(["check", "--since", since, "--no-cache", "--output-format", "json"]) == 0
    (batch,) = json.loads(capsys.readouterr().out)["batches"]
    assert batch["figures"] == {"known": True, "span_seconds": 720.0, "sum_seconds": 1800.0, "saving": 0.6,
                                "critical_path": f"{ORCH}-api", "overlapped": True, "missing": []}
    assert [(s["id"], s["counted"], s["duration_seconds"]) for s in batch["sessions"]] == [
        (ORCH, False, 1320.0), (f"{ORCH}-api", True, 600.0), (f"{ORCH}-docs", True, 600.0),
        (f"{ORCH}-cli", True, 600.0)]
    assert run(["batches", "--since", since, "--no-cache", "--format", "json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["range"] == "main..HEAD" and alone["batches"] == [batch] and alone["version"] == 1


def test_json_without_since_has_no_batches(measured, capsys):
    import json

    assert run(["check", "--no-cache", "--output-format", "json"]) == 0
    assert "batches" not in json.loads(capsys.readouterr().out)


def test_figures_unknown_are_null_in_json(tmp_path, monkeypatch, capsys):
    import json

    from history_harness import CASES, build

    repo, _, since = build(CASES / "batch-without-times", tmp_path)
    monkeypatch.chdir(repo.path)
    assert run(["batches", "--since", since, "--no-cache", "--format", "json"]) == 0
    (batch,) = json.loads(capsys.readouterr().out)["batches"]
    assert batch["figures"] == {"known": False, "span_seconds": None, "sum_seconds": None, "saving": None,
                                "critical_path": None, "overlapped": None,
                                "missing": [f"{ORCH}-docs", f"{ORCH}-cli"]}
    lacks = {s["id"]: s["lacks"] for s in batch["sessions"]}
    assert lacks[f"{ORCH}-docs"] == "no time of day in Started" and lacks[f"{ORCH}-api"] is None


def test_the_step_summary_carries_the_gantt_and_the_table(measured, tmp_path, monkeypatch):
    repo, since = measured
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    assert check(CheckOptions(output_format="github", cwd=repo.path, since=since, no_cache=True),
                 out=io.StringIO()) == 0
    text = summary.read_text(encoding="utf-8")
    flow, chart = mermaid_blocks(text)
    assert flow[0] == "flowchart LR" and chart[0] == "gantt"
    assert [line for line in chart if not GANTT.fullmatch(line)] == []
    assert [line.split(" :")[1].split(",")[0] for line in chart if " :" in line] == ["t0", "crit", "t2", "t3"]
    assert (f"| {ORCH} | 3 | 12 min (10:00-10:12 UTC) | 30 min | 60% | {ORCH}-api (10 min) |"
            in text.split("#### What parallel dispatch saved", 1)[1])


def test_gantt_labels_are_escaped(tmp_path, monkeypatch, capsys):
    from history_harness import session_log

    crafted = "2026-03-02-x: ]) #1 %% ;crit, t9"
    repo = Repo(tmp_path / "crafted")
    repo.commit("Initial commit", {".agent-lint.toml": 'select = ["AL4"]\n', "HANDOFF.md": HANDOFF_START})
    repo.git("checkout", "-q", "-b", "review")
    times = {"started": "2026-03-02T10:00Z", "completed": "2026-03-02T10:10Z"}
    repo.commit("logs\n", {
        log_path(crafted): session_log(crafted, {"log": "worker", "orchestrator": ORCH, **times}),
        log_path(API): session_log(API, {"log": "worker", "orchestrator": ORCH, **times}),
    })
    monkeypatch.chdir(repo.path)
    assert run(["batches", "--since", "main", "--no-cache", "--format", "mermaid"]) == 0
    (_, chart) = mermaid_blocks(capsys.readouterr().out)
    assert [line for line in chart if not GANTT.fullmatch(line)] == []
    (task,) = [line for line in chart if "2026-03-02-x" in line]
    assert decoded(task.split(" :")[0]) == f"  worker {crafted}"


@pytest.mark.parametrize("delta, text", [
    (dict(minutes=12), "12 min"), (dict(hours=1, minutes=5), "1 h 05 min"), (dict(hours=2), "2 h"),
    (dict(seconds=40), "40 s"), (dict(minutes=1, seconds=30.5), "1 min 30.5 s"), (dict(), "0 s"),
    (dict(hours=1, seconds=5), "1 h 00 min 5 s"),
])
def test_durations_are_written_exactly(delta, text):
    from datetime import timedelta

    from agent_lint.unit_facts import duration

    assert duration(timedelta(**delta)) == text


@pytest.mark.parametrize("share, text", [(0.6, "60%"), (1 - 13 / 30, "56.7%"), (-0.25, "-25%"), (0.0, "0%"),
                                         (1.0, "100%"), (-0.0001, "0%")])
def test_savings_are_written_to_one_decimal(share, text):
    from agent_lint.unit_facts import percent

    assert percent(share) == text
