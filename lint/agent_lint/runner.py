"""``agent-lint check`` end to end: config -> discover -> read/parse -> rules -> report.

The CLI maps its arguments onto :class:`CheckOptions` and calls :func:`check`;
everything a check does in order is here, in one place.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from . import __version__
from .cache import Cache, digest, source_stamp
from .config import (Config, check_selectors, config_origin, enabled_rules, load_config, relative_to_root,
                     rule_options, rule_severity)
from .files import digest_files, discover, expand_targets, remember_digests, stamp_files
from .model import AgentLintError, Kind, Outcome, Rule, Severity, Violation
from .report import FORMATS, Report, printable, render

# Parsing, rules and validation are imported where a run needs them: a run
# answered whole from the cache needs none of them.
if TYPE_CHECKING:
    from .project import Project

EXIT_CLEAN, EXIT_VIOLATIONS = 0, 1  # usage and environment errors: guard.EXIT_USAGE
STALE_BASELINE = "AL007"


class Shown(NamedTuple):
    """A rendered report, kept in the cache with what the exit code needs from it."""

    report: str
    severities: frozenset[Severity]
    notes: tuple[str, ...] = ()


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


def prepare(options: CheckOptions, rules: Sequence[Rule]) -> tuple[Config, list[Rule]]:
    config = load_config(rules, options.cwd, options.config, memo=not options.no_cache)

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
    return config, enabled_rules(rules, select, ignore)


def check(options: CheckOptions, out=None, *, registry: Sequence[Rule] | None = None,
          batches: str | None = None) -> int:
    """Run a check; ``registry`` replaces the known rules (tests use their own).

    With ``batches`` ("text", "mermaid" or "json") the output is the batches
    of ``--since`` alone (``agent-lint batches``), as a tree, as Mermaid
    charts or as their figures; the github format appends the charts to its
    step summary, and the json format carries the figures.
    """
    if options.cwd is None:
        options = options._replace(cwd=Path.cwd())
    # A check makes millions of small objects (tokens, records, cache entries) and
    # almost no reference cycles (a one-process cold check of the real corpus leaves
    # 368 objects in cycles), while each pass of the cycle collector walks them all:
    # it cost a fifth of a large run at its default threshold, and still 40 ms of a
    # run loading 15,000 cached analyses at a hundred times that. It is off for the
    # check; refcounting frees everything else as usual.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _check(options, out, registry, batches)
    finally:
        if enabled:
            gc.enable()


def _check(options: CheckOptions, out, registry: Sequence[Rule] | None, batches: str | None) -> int:
    from .rules import RULES, keep_facts

    keep_facts(not options.no_cache)  # --no-cache: nothing read from or written to any cache

    registry = RULES if registry is None else tuple(registry)
    out = out or sys.stdout
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
    config, rules = prepare(options, registry)
    if options.baseline is None and config.baseline and not options.write_baseline:
        # The config's baseline is relative to the project root, --baseline to where the command runs.
        options = options._replace(baseline=config.root / config.baseline)
    if options.colour is None:
        from .terminal import wants_colour

        options = options._replace(colour=options.output_format == "text" and wants_colour(out))
    baseline_rules = [rule for rule in rules if rule.code == STALE_BASELINE]
    rules = [rule for rule in rules if rule.code != STALE_BASELINE]  # judged after baseline matching
    cache = None if options.no_cache else _open_cache(config, rules, options)
    known = discover(config, cache.path_kinds() if cache is not None else None)
    if cache is not None:
        cache.save_path_kinds()
    # Said with the report: a run that fails on the way says only why.
    if known or options.paths or batches:
        found_nothing = []
    else:
        from .survey import nothing_found

        found_nothing = [nothing_found(config)]
    if options.paths:
        # Relative paths are relative to options.cwd, not to the process's directory.
        paths = [options.cwd / path for path in options.paths]
        targets = expand_targets(paths, config, known, options.force_exclude)
        documents = {**known, **targets}
    else:
        targets = known
        documents = known
    history = None
    if options.since is not None or options.whole_history:
        from .files import Classifier
        from .globs import static_prefix
        from .history import read_history

        # What a session log said at the base tells a session going on in the range from a finished one.
        logs = Classifier(config)
        history = read_history(config.root, options.since,
                               older=lambda path: logs.kind(path) is Kind.SESSION_LOG and not logs.excluded(path),
                               merged=[static_prefix(glob) for glob in config.handoff])
        if options.expect_head is not None and history.head != options.expect_head:
            raise AgentLintError(
                f"the commit being pushed ({options.expect_head[:12]}) is not HEAD; check out the"
                f" branch you push, or skip this hook with SKIP=agent-lint-history"
            )
    cwd = options.cwd.resolve()
    root = config.root.resolve()

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

    # Diagrams need the project the violations came from.
    projects: list[Project] | None = None
    if history is not None and (batches or options.output_format in ("github", "json")):
        projects = []

    # A plain report (no fix, baseline, history or step summary) is a function of the run's
    # inputs and of where it is shown: kept beside the run's outcome, it is written as it was.
    variant = None
    if not (options.fix or options.diff or options.baseline or options.write_baseline or history is not None
            or batches or options.output_format == "github"):
        variant = (f"{options.output_format}\0{cwd}\0{root}\0{options.statistics:d}{options.colour:d}"
                   f"\0{''.join(_repository(root))}")
    stored_key: str | None = None  # the run's key in the cache, once it is there

    def lint_pass(may_show_kept: bool = False) -> tuple[Outcome | Shown, dict[str, str]]:
        """One check: its outcome, or (``may_show_kept``) the report kept from an identical run."""
        nonlocal stored_key
        digests: dict[str, str] = {}
        if cache is None:  # the analysis digests what it reads, for the fixer
            return _lint(config, rules, registry, documents, targets, options, history, digests, projects)[0], digests
        stamps = stamp_files(config, documents)
        known = cache.file_digests()
        digests = digest_files(config, stamps, known, read=False)
        # Every file as it was when last read: there is nothing new to remember about them.
        unchanged = len(digests) == len(stamps)
        if not unchanged and cache.has_entries():
            # Files changed since their stamps were taken: read them, the cache may know their bytes.
            # (With nothing cached, the analysis digests what it reads; no file is read twice.)
            digests = digest_files(config, stamps, known)
        complete = cache.enabled and len(digests) == len(documents)
        key = _run_key(documents, targets, history, digests) if complete else None
        kept = cache.get_output(key, variant) if may_show_kept and key and variant else None
        if isinstance(kept, Shown):
            result: Outcome | Shown = kept
        else:
            result, stored_key = _lint(config, rules, registry, documents, targets, options, history, digests,
                                       projects, cache, key)
        if not unchanged:
            remember_digests(known, stamps, digests)
            cache.save_file_digests()
        return result, digests

    if options.diff or options.fix:
        from .fixer import fix, plural, preview

        if options.diff:
            text, count, files = preview(config.root, *lint_pass(), display_path, limit=config.max_file_size)
            out.write(text)
            if count:
                sys.stderr.write(f"Would fix {plural(count, 'violation')} in {plural(files, 'file')}.\n")
            return EXIT_VIOLATIONS if text and not options.exit_zero else EXIT_CLEAN
        outcome, count, files = fix(config.root, lint_pass, limit=config.max_file_size)
        if count:
            sys.stderr.write(f"Fixed {plural(count, 'violation')} in {plural(files, 'file')}.\n")
    else:
        result = lint_pass(may_show_kept=True)[0]
        if isinstance(result, Shown):
            out.write(result.report)
            _say([*found_nothing, *result.notes])
            return exit_code_for(result.severities, options)
        outcome = result

    held_back = 0
    if options.write_baseline or options.baseline:
        violations, held_back = _baseline(options, config, outcome.violations, rules, baseline_rules, set(targets))
        if options.write_baseline:
            return EXIT_CLEAN
        outcome = Outcome(violations, outcome.files, outcome.notes)

    extra, figures = "", None
    if projects:
        from .batches import drawing

        drawn = drawing(projects[-1], rules, outcome.violations)
        if batches == "text":
            from .report.tree import render as tree

            out.write(tree(drawn, colour=bool(options.colour)) if drawn else "")
            return EXIT_CLEAN
        if batches == "json" or options.output_format == "json" and not batches:
            from .report.batch_view import figures as batch_figures

            figures = batch_figures(drawn) if drawn else []
            if batches:
                from .report.json_format import render_batches

                extra = render_batches(drawn.span if drawn else "", figures, __version__)
        else:
            from .report.mermaid import markdown

            extra = markdown(drawn) if drawn else ""
    if batches:
        out.write(extra)
        _say(outcome.notes)
        return EXIT_CLEAN
    prefix, uri = _repository(root)
    report = Report(outcome.violations, outcome.files, registry, display_path, __version__,
                    extra_markdown=extra, colour=bool(options.colour), held_back=held_back,
                    repository_prefix=prefix, repository_uri=uri, batches=figures)
    if options.statistics:
        from .report.statistics import render as statistics

        text = statistics(options.output_format, report)
    else:
        text = render(options.output_format, report)
    if variant and cache is not None and stored_key:
        cache.put_output(stored_key, variant, Shown(text, frozenset(v.severity for v in outcome.violations),
                                                    outcome.notes))
    out.write(text)
    _say([*found_nothing, *outcome.notes])
    return exit_code(outcome.violations, options)


def _say(notes: Iterable[str]) -> None:
    for note in notes:
        sys.stderr.write(f"agent-lint: note: {printable(note)}\n")


BATCH_FORMATS = ("text", "mermaid", "json")


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


def _run_key(documents: dict[str, Kind], targets: dict[str, Kind], history, digests: dict[str, str]) -> str:
    """What a run's outcome depends on besides the settings: every document's kind and bytes."""
    commits = (history.base, history.head) if history is not None else None
    kinds = {kind: kind.value for kind in Kind}
    inputs = "\n".join(f"{p}\0{kinds[k]}\0{digests[p]}" for p, k in sorted(documents.items()))
    # Sections end with two NULs, which no path, kind or digest holds. (A repr of it all, as
    # before, escaped half a megabyte of text on the 4x tree: 4 of a warm run's 40 ms.)
    # A path that is not UTF-8 carries surrogate escapes: they encode back to its bytes.
    text = f"{commits!r}\0\0" + "\0".join(sorted(targets)) + "\0\0" + inputs
    return digest(text.encode("utf-8", "surrogateescape"))


def _lint(config: Config, rules: list[Rule], all_rules: Sequence[Rule], documents: dict[str, Kind],
          targets: dict[str, Kind], options: CheckOptions, history, digests: dict[str, str],
          projects: list[Project] | None = None, cache: Cache | None = None,
          key: str | None = None) -> tuple[Outcome, str | None]:
    """Analyse documents (cached, in parallel) and run the project rules over their records.

    ``key`` is the run key, when every digest was known beforehand. Returns
    the outcome and the key it is cached under (None: not cached).
    ``projects``, when given, receives the project linted; a run answered
    whole from the run cache has none, so that shortcut is skipped then.
    """
    remember = cache is not None and cache.enabled
    known = dict(digests) if key else {}

    def store(outcome: Outcome) -> str:
        """Keep the outcome under the run's key (made again if the analysis read other bytes)."""
        stored = key if key and digests == known else _run_key(documents, targets, history, digests)
        cache.put_run(stored, outcome)
        return stored
    if remember and key and projects is None:
        cached = cache.get_run(key)
        if isinstance(cached, Outcome):
            return cached, key
    from .engine import lint, project_findings
    from .pipeline import analyze, default_jobs
    from .project import Project
    from .schema_check import session_log_schema

    schema = functools.cache(lambda: session_log_schema(config))

    def analyze_some(some: dict[str, Kind], some_targets: set[str]):
        return analyze(config, some, some_targets, rules, digests, cache=cache,
                       jobs=options.jobs or default_jobs(), schema=schema)

    # After a small edit, the last full run's project findings may still hold. (Its memo is
    # kept per settings, which hold a team schema's bytes, and only by a run that got past
    # the schema's check below: that check has nothing new to say here.)
    kept = cache.get_project() if remember and key and history is None and projects is None else None
    if kept is not None:
        from .incremental import Memo, relint

        outcome = None
        if isinstance(kept, Memo):
            outcome = relint(kept, config, rules, all_rules, documents, targets, digests, cache, analyze_some)
        if outcome is not None:
            # The memo stays as the full run left it: the next edit is measured from it too.
            return outcome, store(outcome)
        kept = None  # a full run after all: the memo (5 MB on the 10x tree) is not needed beside it

    if config.session_log_schema:
        schema()  # a broken team schema is a config error even with no log to check
    analyses = analyze_some(documents, set(targets))
    project = Project(config, {path: analyses[path].doc for path in sorted(analyses)}, history)
    by_code = {rule.code: rule for rule in all_rules}
    precomputed = {
        path: [(by_code[code], finding) for code, finding in found] if (found := analyses[path].findings) else ()
        for path in targets
    }
    spanning = project_findings(project, rules)
    outcome = lint(project, rules, all_rules, targets, precomputed, spanning)
    if projects is not None:
        projects.append(project)
    if not remember:
        return outcome, None
    # The analysis has digested every file by now; one may have changed since the key was made.
    key = store(outcome)
    if history is None:
        from .incremental import memo

        cache.put_project(memo(analyses, digests, spanning, key, targets, outcome.notes))
    return outcome, key


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


def _open_cache(config: Config, rules: list[Rule], options: CheckOptions) -> Cache:
    """The cache for these settings: version, own source, config, rules, a team schema's bytes."""
    directory = options.cache_dir or config.root / ".agent_lint_cache"
    extra = b""
    if config.session_log_schema:
        from .files import Reader

        # $refs may reach any file beside the schema: all of them are inputs (read as documents are).
        folder = Path(config.session_log_schema).parent.as_posix()
        reader = Reader(config.root, config.max_file_size)
        try:
            names = sorted(os.listdir(config.root / folder))
        except OSError:
            names = []
        for name in names:
            data = reader.read(f"{folder}/{name}")
            if not isinstance(data, OSError):
                extra += name.encode("utf-8", "surrogateescape") + b"\0" + (data if isinstance(data, bytes) else b"")
    settings = "\n".join([
        __version__, source_stamp(), config.fingerprint(),
        ",".join(rule.code for rule in rules), digest(extra),
    ])
    return Cache(directory, settings)


def exit_code(violations: Sequence, options: CheckOptions) -> int:
    return exit_code_for({v.severity for v in violations}, options)


def exit_code_for(severities: Iterable[Severity], options: CheckOptions) -> int:
    """The exit code of a run whose violations have these severities."""
    if options.exit_zero:
        return EXIT_CLEAN
    threshold = {Severity.ERROR} if options.fail_on == "error" else {Severity.ERROR, Severity.WARNING}
    return EXIT_VIOLATIONS if any(severity in threshold for severity in severities) else EXIT_CLEAN


