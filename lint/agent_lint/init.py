"""``agent-lint init``: set agent-lint up in an existing repository without losing a byte of it.

It first reads the repository (survey.py: where its agent documents are,
a session-log schema of its own, a HANDOFF that says it is read-only) and
says what it found. Then each writer creates a file that does not exist,
adds text to one that does (everything already there kept byte for byte),
or leaves it alone and says why. A second run finds every step done and
changes nothing. Afterwards ``agent-lint check`` passes on a repository that
had no agent documents, and nothing init wrote is ever reported:

1. the config, with a key and a comment for each thing found:
   ``[tool.agent-lint]`` appended to ``pyproject.toml`` (and the result
   parsed again, to be sure it is still valid TOML with every other value
   unchanged), else ``.agent-lint.toml``;
2. the system document: the Parallel Execution Pattern section of
   agent-lint's reference AGENT-SYSTEM.md appended to the project's own when
   it lacks one, or the whole reference when the project has none;
3. the session-log folder with a README of its conventions (the default
   ``exclude`` keeps it from being read as a log);
4. CI: the pre-commit hook and a GitHub workflow, printed, or with
   ``--write-ci`` added to ``.pre-commit-config.yaml`` (only when it lacks
   the hook, and only as an insertion the YAML still parses the same with)
   and written to ``.github/workflows/agent-lint.yml`` when that is absent;
5. the baseline: when the first check would report violations in the
   documents already there, their count by rule and the offer of
   ``--baseline``, which records them in ``.agent-lint-baseline.json`` and
   sets the config's ``baseline`` key;
6. an agent's hooks (``--agent claude-code``): ``agent-lint hook`` at
   Claude Code's ``Stop`` and ``SubagentStop``, merged into
   ``.claude/settings.json`` (created when absent; other settings and hooks
   kept byte for byte, the result parsed again to be sure).

Each step is a writer, a function of the :class:`Setup` that
:func:`writers` lists for the options given: setting up one more tool (an
agent's hooks) is one more writer.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

from . import __version__
from .config import find_root, load_config
from .document import MarkdownDocument, decode, parse_document
from .extract.parallel_pattern import find_section
from .files import classify, excluded
from .model import AgentLintError, Edit, Kind
from .scaffold import create_new, insert, static_folder, system_document_path
from .survey import Survey, config_lines, survey

REPO_URL = "https://github.com/agent-lint/agent-lint"
WORKFLOW_PATH = ".github/workflows/agent-lint.yml"
PRE_COMMIT_PATH = ".pre-commit-config.yaml"
BASELINE_PATH = ".agent-lint-baseline.json"
CLAUDE_SETTINGS = ".claude/settings.json"
HOOK_COMMAND = "agent-lint hook"
HOOK_EVENTS = ("Stop", "SubagentStop")
AGENTS = ("claude-code",)
_ANCHOR_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\(#(?P<anchor>[^)\s]+)\)")


@dataclass
class InitOptions:
    root: Path | None = None  # default: the enclosing git work tree, else the current folder
    write_ci: bool = False
    baseline: bool = False  # record the violations already there and set the config's baseline key
    agent: str | None = None  # an agent runtime whose hooks to set up: one of AGENTS
    cwd: Path = field(default_factory=Path.cwd)


@dataclass
class Steps:
    out: TextIO
    changed: int = 0

    def did(self, message: str) -> None:
        self.changed += 1
        self.out.write(f"{message}\n")

    def kept(self, message: str) -> None:
        self.out.write(f"kept {message}\n")


@dataclass
class Setup:
    """What every writer gets: the repository, what was found there, and where to say what it did."""

    root: Path
    options: InitOptions
    steps: Steps
    found: Survey
    config: Any = None  # the project's Config, once the config is written
    manual: list[tuple[str, str]] = field(default_factory=list)  # (title, text) to add by hand


Writer = Callable[[Setup], None]


def _create(path: Path, text: str) -> None:
    try:
        create_new(path, text.encode("utf-8"))
    except FileExistsError:
        raise AgentLintError(f"{path} appeared while agent-lint was writing it; left as it is") from None
    except OSError as err:
        raise AgentLintError(f"cannot write {path}: {err.strerror or err}") from None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise AgentLintError(f"cannot read {path}: {err.strerror or err}") from None


def _text(data: bytes) -> str | None:
    decoded = decode(data)
    return decoded[0] if isinstance(decoded, tuple) else None


def _end_insertion(text: str, addition: str) -> Edit:
    """``addition`` at the end of a file, after a blank line."""
    lead = "" if not text or text.endswith(("\n", "\r")) else "\n"
    if text.strip() and not text.endswith(("\n\n", "\r\n\r\n", "\r\r")):
        lead += "\n"
    return Edit(len(text), len(text), lead + addition)


# ----------------------------------------------------------------------------
# 1. The config


def config_table(system_document: str, found: Survey = Survey()) -> str:
    """The table init writes: a key for each thing the survey found, with why as a comment."""
    lines = [line for line in config_lines(found) if not line[1].startswith("system-document")]
    if not lines:
        return (
            "[tool.agent-lint]\n"
            f'system-document = "{system_document}"\n'
            "# The defaults, to change as needed (agent-lint rules lists the rules):\n"
            '# session-logs = [".agents/sessions/*.md", ".agents/sessions/*.json"]\n'
            '# handoff = ["/HANDOFF.md", ".agents/HANDOFF.md", ".agents/handoffs/**/*.md"]\n'
        )
    lines.insert(0, (f"{system_document} is the system document", f'system-document = "{system_document}"'))
    body = "".join(f"# {why}\n{line}\n" for why, line in lines)
    return "[tool.agent-lint]\n# Set by 'agent-lint init' from what it found here:\n" + body


def _toml(text: str) -> dict[str, Any] | None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def _report_survey(setup: Setup) -> None:
    for why, line in config_lines(setup.found):
        setup.steps.out.write(f"found {why}: {line}\n")


def init_config(setup: Setup) -> None:
    root, steps = setup.root, setup.steps
    dotfile, pyproject = root / ".agent-lint.toml", root / "pyproject.toml"
    system = setup.found.system_document or next(
        (c for c in ("AGENT-SYSTEM.md", ".agents/AGENT-SYSTEM.md") if (root / c).is_file()), "AGENT-SYSTEM.md")
    table = config_table(system, setup.found)
    if dotfile.is_file():
        return steps.kept(".agent-lint.toml: agent-lint is configured there")
    data = _read(pyproject)
    if data is not None:
        text = _text(data)
        # Parsed as agent-lint's config reader will (tomllib rejects a BOM), and again after the edit.
        parsed = _toml(data.decode("utf-8")) if text is not None else None
        if parsed is not None and "agent-lint" in parsed.get("tool", {}):
            return steps.kept("pyproject.toml: it has a [tool.agent-lint] table")
        if parsed is not None:
            edit = _end_insertion(text, table)
            again = _toml(text[:edit.start] + edit.text)
            wanted = _toml(table)["tool"]["agent-lint"]
            if again is not None and again.get("tool", {}).pop("agent-lint", None) == wanted and again == parsed:
                _report_survey(setup)
                insert(pyproject, data, [edit], "add [tool.agent-lint]")
                return steps.did("added [tool.agent-lint] to pyproject.toml")
        steps.out.write("pyproject.toml cannot take a [tool.agent-lint] table as added text; "
                        "using .agent-lint.toml\n")
    _report_survey(setup)
    _create(dotfile, table.replace("[tool.agent-lint]\n", ""))
    steps.did("created .agent-lint.toml")


# ----------------------------------------------------------------------------
# 2. The system document


def _slug(title: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def reference_section(anchors: set[str]) -> str:
    """The reference's Parallel Execution Pattern section, its links to headings outside
    the section and outside ``anchors`` turned into plain text."""
    from .resources import reference_system_document

    reference = parse_document("AGENT-SYSTEM.md", Kind.SYSTEM, reference_system_document().encode("utf-8"))
    assert isinstance(reference, MarkdownDocument)
    index = find_section(reference)
    if index is None:
        raise AgentLintError("agent-lint's reference AGENT-SYSTEM.md lacks its Parallel Execution Pattern")
    section = reference.sections[index]
    inside = {_slug(reference.sections[i].title) for i in (index, *reference.descendants(index))}
    text = "\n".join(reference.lines[section.line - 1:section.end_line]).rstrip() + "\n"
    return _ANCHOR_LINK.sub(lambda m: m.group() if m.group("anchor") in inside | anchors else m.group("text"), text)


def init_system_document(setup: Setup) -> None:
    from .resources import reference_system_document

    root, steps, path = setup.root, setup.steps, system_document_path(setup.config)
    data = _read(root / path)
    if data is None:
        _create(root / path, reference_system_document())
        return steps.did(f"created {path} (agent-lint's reference statement of the protocol)")
    doc = parse_document(path, Kind.SYSTEM, data)
    if doc.load_error is not None:
        return steps.kept(f"{path}: {doc.load_error.message}")
    if not isinstance(doc, MarkdownDocument):
        return steps.kept(f"{path}: it is not Markdown")
    if find_section(doc) is not None:
        return steps.kept(f"{path}: it has a Parallel Execution Pattern section")
    section = reference_section({_slug(s.title) for s in doc.sections})
    insert(root / path, data, [_end_insertion(doc.text, section)], "add the Parallel Execution Pattern")
    steps.did(f"added the Parallel Execution Pattern section to {path}")


# ----------------------------------------------------------------------------
# 3. The session-log folder


def sessions_readme(system: str, anchors: set[str]) -> str:
    anchor = "#session-log-conventions" if "session-log-conventions" in anchors else ""
    return f"""# Session logs

One log per agent session, written by that session. The conventions are in
[{system.rsplit("/", 1)[-1]}]({{link}}{anchor}); `agent-lint check` holds every log to them.

- **Name**: `YYYY-MM-DD-<slug>.md` or `.json`. The file stem is the session ID, unique in this
  folder: the session's date, then lowercase letters, digits and single hyphens. A worker's ID is
  its orchestrator's ID plus a suffix.
- **Start a log** with `agent-lint new-session --role single|orchestrator|worker SLUG` (a worker
  adds `--orchestrator ID`). The log it writes checks clean: the metadata the conventions require
  and, for an orchestrator, the prerequisites checklist to work through before dispatching.
- **Metadata** (Markdown): `**Date**`, `**Agent**`, `**Role**`, `**Objective**`; `**Orchestrator**`
  for a worker, `**Dispatched**` for an orchestrator; `**Status**`, `**Completed**` and
  `**HANDOFF Updated**`.
- **Sections**: `## Work Log`, `## Prerequisites Checklist` (orchestrator only) and `## Outcome`.
- **HANDOFF**: only the orchestrator, or a single session, updates HANDOFF: once, after every
  session of the batch is complete. A worker's `HANDOFF Updated` is always `no`.

This README is not a session log: agent-lint's default `exclude` (`**/README.md`) skips it.
"""


def init_sessions(setup: Setup) -> None:
    root, config, steps = setup.root, setup.config, setup.steps
    system = system_document_path(config)
    folder = static_folder(config.session_logs[0]) if config.session_logs else ""
    if not folder:
        return steps.kept("the session logs as they are: their glob names no one folder to put a README in")
    readme = posixpath.join(folder, "README.md")
    if (root / readme).exists():
        return steps.kept(f"{readme}: it exists")
    if classify(readme, config) is not None and not excluded(readme, config):
        (root / folder).mkdir(parents=True, exist_ok=True)
        return steps.kept(f"{folder}/ without a README: the config would check a README there as a session log")
    data = _read(root / system)
    doc = parse_document(system, Kind.SYSTEM, data) if data is not None else None
    anchors = {_slug(s.title) for s in getattr(doc, "sections", ())}
    link = posixpath.relpath(system, folder or ".")
    _create(root / readme, sessions_readme(system, anchors).replace("{link}", link))
    steps.did(f"created {readme}")


# ----------------------------------------------------------------------------
# 4. CI


def hook_entry(indent: str) -> str:
    return (f"{indent}- repo: {REPO_URL}\n{indent}  rev: v{__version__}\n"
            f"{indent}  hooks:\n{indent}    - id: agent-lint\n")


def workflow() -> str:
    """The workflow README shows and ``init --write-ci`` writes (a test holds the two equal)."""
    return f"""# agent-lint: the agent documents, and the commits' HANDOFF protocol.
name: agent-lint
on:
  pull_request:
  merge_group:
  push:
    branches: [main]
permissions:
  contents: read
  actions: read  # upload-sarif reads the run's details (needed in private repositories)
  security-events: write  # upload-sarif
jobs:
  agent-lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the AL4xx rules read the commits since the base
      - uses: agent-lint/agent-lint@v{__version__}
        with:
          sarif-file: agent-lint.sarif
      - uses: github/codeql-action/upload-sarif@v3
        # fork pull requests get a read-only token: skip the upload there
        if: ${{{{ !cancelled() && hashFiles('agent-lint.sarif') != '' && (github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository) }}}}
        with:
          sarif_file: agent-lint.sarif
          category: agent-lint
"""


def _has_hook(data: Any) -> bool:
    repos = data.get("repos") if isinstance(data, dict) else None
    return isinstance(repos, list) and any(
        isinstance(hook, dict) and hook.get("id") == "agent-lint"
        for repo in repos if isinstance(repo, dict)
        for hook in (repo.get("hooks") or []) if isinstance(repo.get("hooks"), list)
    )


def pre_commit_insertion(text: str) -> Edit | None:
    """The agent-lint repo added at the end of a block-style ``repos:`` list (or a new ``repos:``),
    verified by parsing the result: None when that cannot be done as added text."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    data = {} if data is None else data
    if not isinstance(data, dict):
        return None
    if "repos" not in data:
        edit: Edit | None = _end_insertion(text, "repos:\n" + hook_entry("  "))
    else:
        edit = _repos_append(text, data["repos"])
    return edit if edit is not None and _adds_the_hook(text, data, edit) else None


def _repos_append(text: str, repos: Any) -> Edit | None:
    """The hook added after the last item of the block-style list under a top-level ``repos:`` line (None: no
    such line, or ``repos`` is not a list)."""
    lines = text.splitlines(keepends=True)
    key = next((i for i, line in enumerate(lines) if re.match(r"repos:[ \t]*(#.*)?$", line.rstrip("\r\n"))), None)
    if key is None or repos is not None and not isinstance(repos, list):
        return None
    indent, last = None, key
    for i in range(key + 1, len(lines)):
        line = lines[i].rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if indent is None:
            item = re.match(r"([ \t]*)- ", line)
            if item is None:
                break
            indent = item.group(1)
        depth = len(line) - len(line.lstrip())
        if depth < len(indent) or (depth == len(indent) and not line[depth:].startswith("-")):
            break
        last = i
    at = sum(len(line) for line in lines[:last + 1])
    lead = "" if lines[last].endswith(("\n", "\r")) else "\n"
    return Edit(at, at, lead + hook_entry(indent if indent is not None else "  "))


def _adds_the_hook(text: str, data: dict, edit: Edit) -> bool:
    """Does the edited text parse as the same data with the agent-lint repo at the end of ``repos``?"""
    import yaml

    after = text[:edit.start] + edit.text + text[edit.end:]
    try:
        again = yaml.safe_load(after)
    except yaml.YAMLError:
        return False
    expected = dict(data, repos=[*(data.get("repos") or []), yaml.safe_load(hook_entry(""))[0]])
    return again == expected


def init_pre_commit(setup: Setup) -> None:
    import yaml

    root, write, steps = setup.root, setup.options.write_ci, setup.steps
    data = _read(root / PRE_COMMIT_PATH)
    text = _text(data) if data is not None else None
    try:
        parsed = yaml.safe_load(text) if text is not None else None
    except yaml.YAMLError:
        parsed = None
    if data is not None and _has_hook(parsed):
        steps.kept(f"{PRE_COMMIT_PATH}: it runs the agent-lint hook")
    elif write and data is None:
        _create(root / PRE_COMMIT_PATH, "repos:\n" + hook_entry("  "))
        steps.did(f"created {PRE_COMMIT_PATH}")
    elif write and text is not None and (edit := pre_commit_insertion(text)) is not None:
        insert(root / PRE_COMMIT_PATH, data, [edit], "add the agent-lint hook")
        steps.did(f"added the agent-lint hook to {PRE_COMMIT_PATH}")
    else:
        if write:
            steps.out.write(f"{PRE_COMMIT_PATH} cannot take the hook as added text; add it by hand\n")
        setup.manual.append((f"Add to {PRE_COMMIT_PATH}:", "repos:\n" + hook_entry("  ")))


def init_workflow(setup: Setup) -> None:
    root, steps = setup.root, setup.steps
    if (root / WORKFLOW_PATH).exists():
        steps.kept(f"{WORKFLOW_PATH}: it exists")
    elif setup.options.write_ci:
        _create(root / WORKFLOW_PATH, workflow())
        steps.did(f"created {WORKFLOW_PATH}")
    else:
        setup.manual.append((f"Add {WORKFLOW_PATH}:", workflow()))


# ----------------------------------------------------------------------------
# 5. The baseline


def init_baseline(setup: Setup) -> None:
    """Count what the first check reports; with --baseline, record it and name the file in the config."""
    import io
    import json

    from .runner import CheckOptions, check

    root, steps, config = setup.root, setup.steps, setup.config
    if config.baseline:
        return steps.kept(f"the baseline: the config names {config.baseline}")
    out = io.StringIO()
    check(CheckOptions(cwd=root, output_format="json", no_cache=True, exit_zero=True), out=out)
    violations = json.loads(out.getvalue())["violations"]
    if not violations:
        return
    files = len({v["path"] for v in violations})
    by_rule: dict[str, int] = {}
    for violation in violations:
        by_rule[violation["code"]] = by_rule.get(violation["code"], 0) + 1
    top = ", ".join(f"{code} {count:,}" for code, count in sorted(by_rule.items(), key=lambda i: (-i[1], i[0]))[:5])
    found = f"the first check reports {len(violations):,} violation{'s' if len(violations) != 1 else ''} " \
            f"in {files:,} file{'s' if files != 1 else ''} already here (most: {top})"
    if not setup.options.baseline:
        steps.out.write(f"{found}; 'agent-lint check --statistics' counts them by rule. To adopt agent-lint "
                        f"before fixing them: 'agent-lint init --baseline' records them in {BASELINE_PATH} "
                        f"and sets the config's baseline key, so that only new ones are reported.\n")
        return
    import contextlib

    with contextlib.redirect_stderr(io.StringIO()):  # its own note would repeat what is said here
        check(CheckOptions(cwd=root, no_cache=True, write_baseline=root / BASELINE_PATH))
    add_config_key(setup, f'baseline = "{BASELINE_PATH}"')
    steps.did(f"{found}: recorded them in {BASELINE_PATH} and set baseline = \"{BASELINE_PATH}\"")


def add_config_key(setup: Setup, line: str) -> None:
    """Add one ``key = value`` line to the agent-lint table of the config, verified by parsing the result."""
    source = setup.config.source
    data = _read(source)
    text = _text(data) if data is not None else None
    parsed = _toml(data.decode("utf-8")) if text is not None else None
    if parsed is None:
        raise AgentLintError(f"{source}: cannot add '{line}': not a TOML file agent-lint can edit")
    if source.name == "pyproject.toml":
        header = re.search(r"^\[\s*tool\s*\.\s*(?:agent-lint|\"agent-lint\")\s*\][^\r\n]*(\r\n|\r|\n)", text, re.M)
        at = header.end() if header else None
    else:
        at = 0  # top-level keys come before any table
    key = line.split("=", 1)[0].strip()
    if at is not None:
        edit = Edit(at, at, line + "\n")
        after = _toml(text[:at] + edit.text + text[at:])
        table = (after or {}).get("tool", {}).get("agent-lint") if source.name == "pyproject.toml" else after
        expected = dict(parsed.get("tool", {}).get("agent-lint", {}) if source.name == "pyproject.toml" else parsed)
        expected[key] = _toml(line)[key]
        if table == expected:
            insert(source, data, [edit], f"set {key}")
            setup.config = setup.config._replace(baseline=expected[key])
            return
    raise AgentLintError(f"{source}: cannot add '{line}' as inserted text; add it to the agent-lint table by hand")


# ----------------------------------------------------------------------------
# 6. An agent's hooks


def claude_code_settings() -> dict[str, Any]:
    """The hook entries ``.claude/settings.json`` needs (README shows them)."""
    group = {"hooks": [{"type": "command", "command": HOOK_COMMAND}]}
    return {"hooks": {event: [group] for event in HOOK_EVENTS}}


_RUNS_HOOK = re.compile(r"(?:^|[\s/\\])(?:agent-lint(?:\.exe)?|-m\s+agent_lint)\s+hook(?:\s|$)")


def runs_hook(groups: Any) -> bool:
    """Does this list of an event's matcher groups run ``agent-lint hook``, however it is spelt?"""
    return isinstance(groups, list) and any(
        isinstance(group, dict) and isinstance(group.get("hooks"), list) and any(
            isinstance(hook, dict) and isinstance(hook.get("command"), str) and _RUNS_HOOK.search(hook["command"])
            for hook in group["hooks"])
        for group in groups)


def settings_insertion(text: str) -> Edit | None:
    """The hook entries added to a settings file's text, each event missing them getting one more
    group at the end of its list, verified by parsing the result: None when not possible as added text."""
    from .edits import json_add_member, json_append_element

    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    hooks = data.get("hooks", {})
    if not isinstance(hooks, dict):
        return None
    group = claude_code_settings()["hooks"][HOOK_EVENTS[0]][0]
    expected = json.loads(text)
    expected.setdefault("hooks", {})
    after = text
    for event in HOOK_EVENTS:
        if runs_hook(hooks.get(event)):
            continue
        expected["hooks"].setdefault(event, [])
        if not isinstance(expected["hooks"][event], list):
            return None
        expected["hooks"][event].append(group)
        doc = parse_document(CLAUDE_SETTINGS, None, after.encode("utf-8"))
        if "hooks" not in doc.data:
            edit = json_add_member(doc, [], "hooks", {event: [group]})
        elif event not in doc.data["hooks"]:
            edit = json_add_member(doc, ["hooks"], event, [group])
        else:
            edit = json_append_element(doc, ["hooks", event], json.dumps(group))
        if edit is None:
            return None
        after = after[:edit.start] + edit.text + after[edit.end:]
    try:
        if json.loads(after) != expected:
            return None
    except ValueError:
        return None
    same = 0  # the one region that differs, as a single edit of the original text
    while same < min(len(text), len(after)) and text[same] == after[same]:
        same += 1
    tail = 0
    while tail < min(len(text), len(after)) - same and text[-1 - tail] == after[-1 - tail]:
        tail += 1
    # Never between the two halves of a CRLF: the fixer writes the edit's line breaks as the file's own.
    while same and text[same - 1] == "\r":
        same -= 1
    while tail and text[len(text) - tail] == "\n":
        tail -= 1
    return Edit(same, len(text) - tail, after[same:len(after) - tail])


def init_claude_code(setup: Setup) -> None:
    root, steps = setup.root, setup.steps
    path = root / CLAUDE_SETTINGS
    data = _read(path)
    entries = json.dumps(claude_code_settings(), indent=2) + "\n"
    if data is None:
        _create(path, entries)
        return steps.did(f"created {CLAUDE_SETTINGS}: Claude Code runs '{HOOK_COMMAND}' at Stop and SubagentStop")
    text = _text(data)
    try:
        hooks = json.loads(text).get("hooks") if text is not None else None
    except (ValueError, AttributeError):
        hooks = None
    if isinstance(hooks, dict) and all(runs_hook(hooks.get(event)) for event in HOOK_EVENTS):
        return steps.kept(f"{CLAUDE_SETTINGS}: it runs '{HOOK_COMMAND}' at Stop and SubagentStop")
    edit = settings_insertion(text) if text is not None else None
    if edit is None:
        steps.out.write(f"{CLAUDE_SETTINGS} cannot take the hooks as added text; add them by hand\n")
        setup.manual.append((f"Merge into {CLAUDE_SETTINGS}:", entries))
        return
    insert(path, data, [edit], "add agent-lint's hooks")
    steps.did(f"added '{HOOK_COMMAND}' at Stop and SubagentStop to {CLAUDE_SETTINGS}")


# ----------------------------------------------------------------------------
# The command


def writers(options: InitOptions) -> list[Writer]:
    """The steps of an init, in order: each creates, adds to or keeps one thing."""
    if options.agent is not None and options.agent not in AGENTS:
        raise AgentLintError(f"--agent takes {', '.join(AGENTS)}, not '{options.agent}'")
    agents = [init_claude_code] if options.agent == "claude-code" else []
    return [init_config, load_project_config, init_system_document, init_sessions, init_pre_commit,
            init_workflow, *agents, init_baseline]


def load_project_config(setup: Setup) -> None:
    from .rules import RULES

    setup.config = load_config(RULES, setup.root)


def run_init(options: InitOptions, out: TextIO | None = None) -> int:
    root = (options.cwd / options.root if options.root else find_root(options.cwd)).resolve()
    if not root.is_dir():
        raise AgentLintError(f"{root}: not a folder")
    setup = Setup(root, options, Steps(out or sys.stdout), survey(root))
    for writer in writers(options):
        writer(setup)
    steps = setup.steps
    if not steps.changed:
        steps.out.write("Nothing to change: agent-lint is set up here.\n")
    else:
        steps.out.write("Run 'agent-lint check' to check the agent documents.\n")
    for title, body in setup.manual:
        steps.out.write(f"\n{title}\n\n{body}")
    if not options.write_ci and any(path in title for title, _ in setup.manual for path in (PRE_COMMIT_PATH,
                                                                                            WORKFLOW_PATH)):
        steps.out.write("\n'agent-lint init --write-ci' adds them.\n")
    return 0
