"""``agent-lint fmt``: exact bytes, unchanged rendering and model, suppressions, exit codes."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

import mdformat
import mdformat.plugins
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from agent_lint import cli
from agent_lint.document import Document, MarkdownDocument
from agent_lint.fmt import FmtOptions, format_bytes, run_fmt
from agent_lint.model import Finding, Rule, Scope
from agent_lint.rules import RULES
from agent_lint.runner import CheckOptions, check

LOG = ".agents/sessions/2026-03-02-orchestrator.md"

MESSY = (
    b"\xef\xbb\xbf---\r\nsession: s1\r\n---\r\n# Session 7\r\n**Session**: s1\r\n**Date**:   2026-03-02\r\n\r\n"
    b"## Prerequisites Checklist\r\n* [X] Tasks are independent\r\n"
    b"* [ ] No shared file modifications \xe2\x80\x94 both touch README.md\r\n\r\n"
    b"1. dispatch\r\n2. wait\r\n3. update HANDOFF\r\n\r\n"
    b"|Agent|Status|\r\n|---|:---:|\r\n|w1|done|\r\n"
    b"<!-- agent-lint-disable-next-line AL100 -->\r\nSome *text*   here\r\n"
)
TIDY = (
    b"\xef\xbb\xbf---\r\nsession: s1\r\n---\r\n\r\n# Session 7\r\n\r\n**Session**: s1\r\n**Date**: 2026-03-02\r\n\r\n"
    b"## Prerequisites Checklist\r\n\r\n- [x] Tasks are independent\r\n"
    b"- [ ] No shared file modifications \xe2\x80\x94 both touch README.md\r\n\r\n"
    b"1. dispatch\r\n2. wait\r\n3. update HANDOFF\r\n\r\n"
    b"| Agent | Status |\r\n| ----- | :----: |\r\n| w1    |  done  |\r\n\r\n"
    b"<!-- agent-lint-disable-next-line AL100 -->\r\n\r\nSome *text* here\r\n"
)


def make_project(root: Path, files: dict[str, bytes]) -> Path:
    (root / ".git").mkdir(parents=True)
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def fmt(root: Path, *paths: str, check_only: bool = False, cwd: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    options = FmtOptions(paths=tuple(root / p for p in paths), check=check_only, cwd=cwd or root)
    return run_fmt(options, out, err), out.getvalue(), err.getvalue()


def html(markdown: str) -> str:
    # Built here rather than taken from agent_lint.fmt: the test must not trust the code it checks.
    parser = MarkdownIt("commonmark").use(front_matter_plugin)
    parser.options["parser_extension"] = []
    mdformat.plugins.PARSER_EXTENSIONS["gfm"].update_mdit(parser)
    return parser.render(markdown)


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(raw: str) -> str:
    """Raw inline source as read: mdformat adds backslash escapes (mcp\\_\\_x) and writes a
    hard break as a trailing backslash; the model keeps source text, so compare without them."""
    return _ESCAPE.sub(r"\1", raw).removesuffix("\\").rstrip()


def model(text: str) -> tuple:
    doc = MarkdownDocument("x.md", None, text)
    return (
        [(s.level, s.title) for s in doc.sections],
        [[(plain(i.text), i.checked) for i in block.items] for block in doc.checklists],
        [(tuple(map(plain, t.header)), [tuple(map(plain, r.cells)) for r in t.rows]) for t in doc.tables],
        [(m.key, plain(m.value)) for m in doc.metadata_entries],
        [(s.action, s.codes) for s in doc.suppressions],
        doc.front_matter,
    )


def decoded(data: bytes) -> str:
    return data.decode("utf-8-sig")


# --- the formatting itself ------------------------------------------------------


def test_exact_bytes_bom_crlf_front_matter_tables_tasks_metadata():
    assert format_bytes(MESSY) == TIDY
    assert format_bytes(TIDY) == TIDY


def test_rendering_and_model_are_unchanged():
    # Runs of spaces inside paragraphs ("**Date**:   2026") collapse: the same HTML to a browser.
    squeezed = [" ".join(html(decoded(data)).split()) for data in (TIDY, MESSY)]
    assert squeezed[0] == squeezed[1]
    after, before = model(decoded(TIDY)), model(decoded(MESSY))
    assert after == before
    assert after[1] == [[("Tasks are independent", True),
                         ("No shared file modifications — both touch README.md", False)]]


def test_front_matter_alone_and_a_missing_final_newline():
    assert format_bytes(b"---\na: 1\n---") == b"---\na: 1\n---\n"
    assert format_bytes(b"# T\n\ntext") == b"# T\n\ntext\n"


def test_real_documents_keep_rendering_tables_tasks_and_metadata(corpus):
    paths = sorted((corpus / ".agents" / "sessions").glob("*.md"))
    paths += [corpus / ".agents" / "HANDOFF.md", corpus / ".agents" / "AGENT-SYSTEM.md"]
    assert len(paths) > 50
    changed = 0
    for path in paths:
        data = path.read_bytes()
        formatted = format_bytes(data)
        changed += formatted != data
        assert format_bytes(formatted) == formatted, path.name
        assert html(decoded(formatted)) == html(decoded(data)), path.name
        assert model(decoded(formatted)) == model(decoded(data)), path.name
    assert changed > 0  # the corpus is not already canonical: the comparisons above did real work


# --- suppressions survive formatting ----------------------------------------------


def check_flag(doc, options):
    for number, line in enumerate(doc.lines, 1):
        if "FLAG" in line:
            yield Finding(number, line.index("FLAG") + 1, "flagged")


FLAG = Rule("AL907", "flagged-line", Scope.DOCUMENT, check_flag, "Flagged line.\n", reads=Document)


def test_disable_next_line_still_works_after_fmt_inserts_a_blank_line(tmp_path):
    root = make_project(tmp_path, {LOG: b"# Log\n<!-- agent-lint-disable-next-line AL907 -->\n* FLAG here\n"})

    def rows() -> tuple[int, str]:
        out = io.StringIO()
        code = check(CheckOptions(cwd=root, no_cache=True, select=("AL005", "AL907")), out=out, registry=(*RULES, FLAG))
        return code, out.getvalue()

    assert rows() == (0, "All checks passed (1 file checked).\n")
    assert fmt(root)[0] == 0
    assert (root / LOG).read_bytes() == b"# Log\n\n<!-- agent-lint-disable-next-line AL907 -->\n\n- FLAG here\n"
    assert rows() == (0, "All checks passed (1 file checked).\n")  # AL907 still suppressed, AL005 silent


# --- files, exit codes, errors ------------------------------------------------------


def test_check_reports_and_writes_nothing_then_fmt_writes_then_check_passes(tmp_path):
    root = make_project(tmp_path, {LOG: MESSY, ".agents/HANDOFF.md": b"# Handoff\n"})
    assert fmt(root, check_only=True) == (
        1, f"would reformat {LOG}\n", "1 file would be reformatted, 1 already formatted.\n"
    )
    assert (root / LOG).read_bytes() == MESSY
    assert fmt(root) == (0, f"reformatted {LOG}\n", "1 file reformatted, 1 already formatted.\n")
    assert (root / LOG).read_bytes() == TIDY
    assert fmt(root, check_only=True) == (0, "", "0 files would be reformatted, 2 already formatted.\n")


def test_only_markdown_agent_documents_are_touched(tmp_path):
    files = {
        LOG: b"* [X] done\n",
        ".agents/sessions/2026-03-02-worker.json": b'{"id":  "w1"}',
        "AGENT-SYSTEM.md": b"# Agent System\n* item\n",
        "README.md": b"* not an agent document\n",
        "notes/plan.md": b"* not an agent document either\n",
    }
    root = make_project(tmp_path, files)
    code, out, _ = fmt(root)
    assert code == 0
    assert out == f"reformatted {LOG}\nreformatted AGENT-SYSTEM.md\n"
    assert (root / "AGENT-SYSTEM.md").read_bytes() == b"# Agent System\n\n- item\n"
    for path in (".agents/sessions/2026-03-02-worker.json", "README.md", "notes/plan.md"):
        assert (root / path).read_bytes() == files[path]


def test_fmt_on_a_directory_formats_only_what_is_inside(tmp_path):
    root = make_project(tmp_path, {
        LOG: b"* [X] done\n",
        ".agents/sessions/2026-03-03-worker.md": b"+ one\n+ two\n",
        ".agents/HANDOFF.md": b"* outside the folder\n",
    })
    code, out, _ = fmt(root, ".agents/sessions", cwd=root / ".agents")
    assert code == 0
    assert out == "reformatted sessions/2026-03-02-orchestrator.md\nreformatted sessions/2026-03-03-worker.md\n"
    assert (root / LOG).read_bytes() == b"- [x] done\n"
    assert (root / ".agents/sessions/2026-03-03-worker.md").read_bytes() == b"- one\n- two\n"
    assert (root / ".agents/HANDOFF.md").read_bytes() == b"* outside the folder\n"


def test_mode_is_kept(tmp_path):
    root = make_project(tmp_path, {LOG: b"* a\n"})
    (root / LOG).chmod(0o444)
    fmt(root)
    assert (root / LOG).read_bytes() == b"- a\n"
    assert stat.S_IMODE((root / LOG).stat().st_mode) == 0o444


def test_bad_files_are_reported_and_the_others_still_formatted(tmp_path, monkeypatch):
    root = make_project(tmp_path, {
        ".agents/sessions/a-bad-utf8.md": b"# Log\n\xff\xfe\n",
        ".agents/sessions/b-crashes.md": b"# BOOM\n",
        ".agents/sessions/c-fine.md": b"* x\n",
    })
    real = mdformat.text

    def flaky(text, **kwargs):
        if "BOOM" in text:
            raise ValueError("plugin fell over")
        return real(text, **kwargs)

    monkeypatch.setattr(mdformat, "text", flaky)
    code, out, err = fmt(root)
    assert code == 2
    assert out == "reformatted .agents/sessions/c-fine.md\n"
    assert err.splitlines() == [
        "agent-lint: error: .agents/sessions/a-bad-utf8.md: not valid UTF-8 (byte 0xff at offset 6)",
        "agent-lint: error: .agents/sessions/b-crashes.md: mdformat failed: ValueError: plugin fell over",
        "1 file reformatted, 0 already formatted, 2 could not be formatted.",
    ]
    assert (root / ".agents/sessions/c-fine.md").read_bytes() == b"- x\n"
    assert (root / ".agents/sessions/a-bad-utf8.md").read_bytes() == b"# Log\n\xff\xfe\n"


def test_a_change_to_the_rendering_is_refused(tmp_path, monkeypatch):
    root = make_project(tmp_path, {LOG: b"# Log\n"})
    monkeypatch.setattr(mdformat, "text", lambda text, **kwargs: "# Other\n")
    code, _, err = fmt(root)
    assert code == 2
    assert err.startswith(f"agent-lint: error: {LOG}: formatting would change the rendered document; left unchanged\n")
    assert (root / LOG).read_bytes() == b"# Log\n"


def test_cli(tmp_path, monkeypatch, capsys):
    make_project(tmp_path, {LOG: b"* [X] done\n", ".agents/sessions/bad.md": b"\xff\n"})
    monkeypatch.chdir(tmp_path)
    assert cli.run(["fmt", "--check", str(tmp_path / LOG)]) == 1
    assert cli.run(["fmt", str(tmp_path / LOG)]) == 0
    assert cli.run(["fmt", "--check", str(tmp_path / LOG)]) == 0
    assert cli.run(["fmt", "--check"]) == 2
    assert capsys.readouterr().out == f"would reformat {LOG}\nreformatted {LOG}\n"
