"""``agent-lint check``: the command, from its options to its exit code.

In order: the settings (config, rules); discovery (which files are agent
documents, which of them the report is about); the history with --since;
the pipeline, engine.lint (read, parse, extract and check each document,
check the project, resolve), through the cache when there is one
(caching.py); then the steps after it: fixes, the baseline, the report in
its format (or the statistics), the drawings of the batches, the exit code.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

from . import __version__
from .config import (Config, check_selectors, config_origin, enabled_rules, load_config, relative_to_root,
                     rule_options, rule_severity)
from .files import discover, expand_targets
from .model import AgentLintError, Kind, Outcome, Rule, Severity, Violation
from .report import FORMATS, Report, printable, render

EXIT_CLEAN, EXIT_VIOLATIONS = 0, 1  # usage and environment errors: guard.EXIT_USAGE
STALE_BASELINE = "AL007"
BATCH_FORMATS = ("text", "mermaid", "json")


class CheckOptions(NamedTuple):
    """What ``agent-lint check`` was asked to do (the CLI's options, or a test's)."""

    paths: Sequence[Path] = ()
    config: Path | None = None
    select: Sequence[str] = ()
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    output_format: str = "text"
    exit_zero: bool = False
    fail_on: str = "error"
    force_exclude: bool = False
    no_cache: bool = False
    cache_dir: Path | None = None
    jobs: int | None = None  # None: one per available core
    since: str | None = None  # git ref: load the history merge-base(since, HEAD)..HEAD
    expect_head: str | None = None  # with since: the commit HEAD must be (pre-push: the one pushed)
    whole_history: bool = False  # load every commit of HEAD (a first push), as since would a range
    fix: bool = False  # apply the fixes, re-check until none is left, report what remains
    diff: bool = False  # print the fixes as a unified diff instead; write nothing
    baseline: Path | None = None  # report only violations not recorded in this file (default: the config's)
    write_baseline: Path | None = None  # record every current violation in this file
    statistics: bool = False  # per-rule counts instead of the violations (text or json)
    colour: bool | None = None  # None: as the output stream wants (terminal.wants_colour)
    cwd: Path | None = None  # None: the process's working directory (check() fills it in)


def split_selectors(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def selected(options: CheckOptions, config: Config, rules: Sequence[Rule]) -> list[Rule]:
    """The rules the config and the command line enable (AgentLintError for a selector that names none)."""

    def origin(*key: str) -> str:
        return config_origin(config.source or Path("config"), key)

    check_selectors(config.select, rules, origin("select"))
    check_selectors(config.ignore, rules, origin("ignore"))
    for glob, selectors in config.per_file_ignores.items():
        check_selectors(selectors, rules, origin("per-file-ignores", glob))
    select = split_selectors(options.select) or list(config.select)
    select += split_selectors(options.extend_select)
    ignore = list(config.ignore) + split_selectors(options.ignore)
    check_selectors(select, rules, "--select")
    check_selectors(ignore, rules, "--ignore")
    return enabled_rules(rules, select, ignore)


class Selection:
    """The rules of a check: every known rule, and those the config and the command line enable.

    Worked out when first asked for, so that a run the cache answers imports
    no rule module: its outcome's key holds the selectors as given (and the
    code that gives them meaning), and an outcome is kept only by a run
    whose selectors were valid.
    """

    def __init__(self, options: CheckOptions, config: Config, registry: Sequence[Rule] | None = None):
        self.options, self.config, self._registry = options, config, registry

    @property
    def key(self) -> str:
        """The selection as given, for the cache's key (the config's part is in its fingerprint)."""
        options = self.options
        given = "built-in" if self._registry is None else ",".join(f"{r.code}:{r.name}" for r in self._registry)
        return "\0".join([given, *(",".join(v) for v in (options.select, options.extend_select, options.ignore))])

    @functools.cached_property
    def registry(self) -> Sequence[Rule]:
        if self._registry is not None:
            return self._registry
        from .rules import RULES

        return RULES

    @functools.cached_property
    def enabled(self) -> list[Rule]:
        return selected(self.options, self.config, self.registry)

    @property
    def checked(self) -> list[Rule]:
        """The rules enabled but AL007, which judges the baseline after the report."""
        return [rule for rule in self.enabled if rule.code != STALE_BASELINE]

    @property
    def stale_baseline(self) -> list[Rule]:
        """AL007, where it is enabled."""
        return [rule for rule in self.enabled if rule.code == STALE_BASELINE]


class Inputs(NamedTuple):
    """What a check runs on, known before any document is read; the rules are the selection's."""

    config: Config
    selection: Selection
    documents: Mapping[str, Kind]
    targets: frozenset[str]
    history: Any
    processes: int

    def run(self) -> Any:
        """The engine's run (engine.Run): the rules enabled (AL007 aside: it judges the baseline, after the report)."""
        from .engine import Run

        return Run(self.config, tuple(self.selection.checked), tuple(self.selection.registry), self.documents, self.targets, self.history,
                   self.processes)


def check(options: CheckOptions, out=None, *, registry: Sequence[Rule] | None = None,
          batches: str | None = None) -> int:
    """Run a check; ``registry`` replaces the known rules (tests use their own).

    With ``batches`` ("text", "mermaid" or "json") the output is the batches
    of ``--since`` alone (``agent-lint batches``), as a tree, as Mermaid
    charts or as their figures; the github format appends the charts to its
    step summary, and the json format carries the figures.
    """
    out = out or sys.stdout
    options = _usable(options._replace(cwd=options.cwd or Path.cwd()), out)
    config = load_config(registry, options.cwd, options.config, memo=not options.no_cache)
    selection = Selection(options, config, registry)
    if options.baseline is None and config.baseline and not options.write_baseline:
        # The config's baseline is relative to the project root, --baseline to where the command runs.
        options = options._replace(baseline=config.root / config.baseline)
    documents, targets = documents_of(config, options)
    found_nothing = [] if documents or options.paths or batches else [_nothing_found(config)]
    inputs = Inputs(config, selection, documents, frozenset(targets), _history(config, options),
                    options.jobs or default_processes())
    # The drawings read the project the violations came from.
    draws = inputs.history is not None and (batches is not None or options.output_format in ("github", "json"))
    pipeline = Pipeline(inputs, None if options.no_cache else options.cache_dir or config.root / ".agent_lint_cache",
                        keep=draws)
    display = display_paths(config.root, options.cwd)

    if options.diff:
        return _diff(pipeline.outcome(), config, display, options, out)
    if options.fix:
        outcome = _fix(pipeline, config)
    else:
        outcome = pipeline.outcome()
    held_back = 0
    if options.write_baseline or options.baseline:
        violations, held_back = _baseline(options, config, outcome.violations, selection.checked,
                                          selection.stale_baseline, targets)  # AL007 judged after the matching
        if options.write_baseline:
            return EXIT_CLEAN
        outcome = outcome._replace(violations=violations)
    extra, figures = _drawings(pipeline, outcome, batches, options, out) if draws else ("", None)
    if batches:
        out.write(extra)
        if batches != "text":  # (the tree is written, without the notes)
            _say(outcome.notes)
        return EXIT_CLEAN
    prefix, uri = _repository(config.root.resolve())
    # Only SARIF describes the rules: the other formats need no rule module.
    known = selection.registry if options.output_format == "sarif" else ()
    report = Report(outcome.violations, outcome.files, known, display, __version__, extra_markdown=extra,
                    colour=bool(options.colour), held_back=held_back, repository_prefix=prefix,
                    repository_uri=uri, batches=figures)
    if options.statistics:
        from .report.statistics import render as statistics

        out.write(statistics(options.output_format, report))
    else:
        out.write(render(options.output_format, report))
    _say([*found_nothing, *outcome.notes])
    return exit_code(outcome.violations, options)


class Pipeline:
    """engine.lint for one check, through the cache where there is one.

    With ``keep``, the analyses are kept for the drawings, which read the
    project the violations came from, and the outcome is never the one kept
    from an earlier run.
    """

    def __init__(self, inputs: Inputs, cache_dir: Path | None, *, keep: bool = False):
        self.inputs = inputs
        self.cache = None
        if cache_dir is not None:
            from .caching import open_cache

            self.cache = open_cache(inputs.config, inputs.selection.key, cache_dir)
        self.keep = keep
        self.analyses: Mapping[str, Any] = {}  # with keep: the last run's, by path

    @functools.cached_property
    def run(self) -> Any:
        return self.inputs.run()

    def outcome(self) -> Outcome:
        if self.cache is None:
            from .engine import analyses, lint

            return lint(self.run, self._keeping(analyses) if self.keep else analyses)
        from .caching import cached_lint

        def linted(analyses: Callable[[Any], Mapping[str, Any]], checked: Callable[..., Any]) -> Outcome:
            from .engine import lint  # imported only when the outcome is not kept

            return lint(self.run, self._keeping(analyses) if self.keep else analyses, checked)

        return cached_lint(self.cache, self.inputs, linted, reuse=not self.keep)

    def _keeping(self, source: Callable[[Any], Mapping[str, Any]]) -> Callable[[Any], Mapping[str, Any]]:
        """``source``, its analyses kept for the drawings as well."""
        def keeping(run: Any) -> Mapping[str, Any]:
            self.analyses = source(run)
            return self.analyses

        return keeping


def _diff(outcome: Outcome, config: Config, display: Callable[[str], str], options: CheckOptions, out) -> int:
    """--diff: the fixes as a unified diff, nothing written."""
    from .fixer import plural, preview

    text, count, files = preview(config.root, outcome, display, limit=config.max_file_size)
    out.write(text)
    if count:
        sys.stderr.write(f"Would fix {plural(count, 'violation')} in {plural(files, 'file')}.\n")
    return EXIT_VIOLATIONS if text and not options.exit_zero else EXIT_CLEAN


def _fix(pipeline: Pipeline, config: Config) -> Outcome:
    """--fix: apply the fixes, check again until none is left; the last check's outcome."""
    from .fixer import fix, plural

    outcome, count, files = fix(config.root, pipeline.outcome, limit=config.max_file_size)
    if count:
        sys.stderr.write(f"Fixed {plural(count, 'violation')} in {plural(files, 'file')}.\n")
    return outcome


def _drawings(pipeline: Pipeline, outcome: Outcome, batches: str | None, options: CheckOptions,
              out) -> tuple[str, Any]:
    """The batches of the range: written now as a tree, else (Markdown or JSON text, figures) for the report."""
    from .engine import project_of
    from .report.batch_view import drawing

    gate = project_of(pipeline.run, pipeline.analyses).gate
    drawn = drawing(gate, outcome.violations) if gate is not None else None
    if batches == "text":
        from .report.tree import render as tree

        out.write(tree(drawn, colour=bool(options.colour)) if drawn else "")
        return "", None
    if batches == "json" or options.output_format == "json" and not batches:
        from .report.batch_view import figures as batch_figures

        figures = batch_figures(drawn) if drawn else []
        if not batches:
            return "", figures
        from .report.json_format import render_batches

        return render_batches(drawn.span if drawn else "", figures, __version__), figures
    from .report.mermaid import markdown

    return (markdown(drawn) if drawn else ""), None


def _nothing_found(config: Config) -> str:
    from .survey import nothing_found

    return nothing_found(config)


def _usable(options: CheckOptions, out) -> CheckOptions:
    """The options (colour decided), or the usage error they make."""
    if options.output_format not in FORMATS:
        raise AgentLintError(
            f"unknown output format '{options.output_format}' (choose from {', '.join(FORMATS)})"
        )
    if options.fix and options.diff:
        raise AgentLintError("--fix and --diff cannot be used together")
    if options.baseline and options.write_baseline:
        raise AgentLintError("--baseline and --write-baseline cannot be used together")
    if options.statistics and options.output_format not in ("text", "json"):
        raise AgentLintError(f"--statistics prints text or json, not {options.output_format}")
    if options.colour is None:
        from .terminal import wants_colour

        options = options._replace(colour=options.output_format == "text" and wants_colour(out))
    return options


def documents_of(config: Config, options: CheckOptions) -> tuple[dict[str, Kind], dict[str, Kind]]:
    """Every agent document of the project, and those the report is about (all, or those of the paths given)."""
    known = discover(config)
    if not options.paths:
        return known, known
    # Relative paths are relative to options.cwd, not to the process's directory.
    targets = expand_targets([options.cwd / path for path in options.paths], config, known, options.force_exclude)
    return {**known, **targets}, targets


def _history(config: Config, options: CheckOptions):
    """The commits of --since (or of the whole history of HEAD), None without either."""
    if options.since is None and not options.whole_history:
        return None
    from .files import Classifier
    from .globs import static_prefix
    from .history import read_history

    # What a session log said at the base tells a session going on in the range from a finished one.
    kind = Classifier(config).document_kind
    history = read_history(config.root, options.since,
                           older=lambda path: kind(path) is Kind.SESSION_LOG,
                           merged=[static_prefix(glob) for glob in config.handoff])
    if options.expect_head is not None and history.head != options.expect_head:
        raise AgentLintError(
            f"the commit being pushed ({options.expect_head[:12]}) is not HEAD; check out the"
            f" branch you push, or skip this hook with SKIP=agent-lint-history"
        )
    return history


def display_paths(root: Path, cwd: Path) -> Callable[[str], str]:
    """Root-relative path -> the path a report shows: relative to where the command runs."""
    cwd, root = cwd.resolve(), root.resolve()
    above = os.path.relpath(root, cwd)  # "." when run at the root, the usual case
    above = None if above.startswith("..") else "" if above == "." else above.replace(os.sep, "/") + "/"

    @functools.lru_cache(maxsize=None)  # asked once per violation, for a few files each
    def display_path(path: str) -> str:
        if not path:
            shown = "."
        elif above is not None:
            shown = above + path
        else:
            shown = os.path.relpath(os.path.join(root, path), cwd).replace(os.sep, "/")
        # A file name that is not UTF-8 arrives with surrogate escapes, which
        # no report can encode; show U+FFFD for the undecodable bytes instead.
        return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

    return display_path


def default_processes() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _say(notes: Iterable[str]) -> None:
    for note in notes:
        sys.stderr.write(f"agent-lint: note: {printable(note)}\n")


def batches(options: CheckOptions, out=None, fmt: str = "text") -> int:
    """``agent-lint batches``: each parallel batch of ``--since``..HEAD, as a text tree, in Mermaid or as JSON."""
    if options.since is None:
        raise AgentLintError("batches needs --since REF")
    if fmt not in BATCH_FORMATS:
        raise AgentLintError(f"batches prints {', '.join(BATCH_FORMATS[:-1])} or {BATCH_FORMATS[-1]}, not '{fmt}'")
    return check(options, out, batches=fmt)


def _repository(root: Path) -> tuple[str, str]:
    """(the project root's path in its repository, "" or "sub/"; the repository's folder as a URI).

    The repository is the Actions workspace when the root lies in it (annotations are relative
    to it), else the enclosing git work tree, else the root itself.
    """
    from .config import enclosing_work_tree

    workspace = os.environ.get("GITHUB_WORKSPACE")
    top = Path(workspace).resolve() if workspace else None
    if top is None or not (root == top or top in root.parents):
        top = enclosing_work_tree(root) or root
    prefix = root.relative_to(top).as_posix() if root != top else ""
    return (prefix + "/" if prefix else ""), top.as_uri() + "/"


def _baseline(options: CheckOptions, config: Config, violations: list[Violation], rules: list[Rule],
              stale_rules: list[Rule], targets: set[str]) -> tuple[list[Violation], int]:
    """Write the baseline, or drop the violations it records and report its stale entries;
    also return how many it held back."""
    from .baseline import apply_baseline, read_baseline, write_baseline
    from .document import decode, split_lines
    from .files import Reader

    lines: dict[str, list[str]] = {}
    reader = Reader(config.root, config.max_file_size)

    def line_text(path: str, line: int) -> str:
        if path not in lines:
            data = reader.read(path) if path else b""
            decoded = decode(data) if isinstance(data, bytes) else None
            lines[path] = split_lines(decoded[0]) if isinstance(decoded, tuple) else []
        text = lines[path]
        return text[line - 1] if 0 < line <= len(text) else ""

    def resolved(file: Path) -> Path:
        return file if file.is_absolute() else options.cwd / file

    if options.write_baseline:
        count = write_baseline(resolved(options.write_baseline), violations, line_text)
        sys.stderr.write(f"agent-lint: wrote {count} baseline entr{'y' if count == 1 else 'ies'} "
                         f"to {options.write_baseline}\n")
        return [], 0
    codes = {rule.code for rule in rules}
    whole_project = not options.paths
    kept, stale = apply_baseline(
        violations, read_baseline(resolved(options.baseline)), line_text,
        lambda entry: entry.code in codes and (whole_project or entry.path in targets),
    )
    held_back = len(violations) - len(kept)
    shown = relative_to_root(resolved(options.baseline), config.root)
    for rule in stale_rules:
        for finding in rule.check(stale, rule_options(config, rule)):
            kept.append(Violation(shown, finding.line, finding.column, rule.code, rule.name, finding.message,
                                  rule_severity(config, rule)))
    return sorted(kept), held_back


def exit_code(violations: Sequence, options: CheckOptions) -> int:
    return exit_code_for({v.severity for v in violations}, options)


def exit_code_for(severities: Iterable[Severity], options: CheckOptions) -> int:
    """The exit code of a run whose violations have these severities."""
    if options.exit_zero:
        return EXIT_CLEAN
    threshold = {Severity.ERROR} if options.fail_on == "error" else {Severity.ERROR, Severity.WARNING}
    return EXIT_VIOLATIONS if any(severity in threshold for severity in severities) else EXIT_CLEAN


