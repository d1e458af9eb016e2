"""``agent-lint check`` end to end: config -> discover -> read/parse -> rules -> report.

The CLI maps its arguments onto :class:`CheckOptions` and calls :func:`check`;
everything a check does in order is here, in one place.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from . import __version__
from .config import Config, check_selectors, enabled_rules, load_config
from .engine import lint
from .files import discover, expand_targets
from .model import AgentLintError, Rule, Severity
from .project import load_project
from .report import FORMATS, Report, render

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


@dataclass
class CheckOptions:
    paths: Sequence[Path] = ()
    config: Path | None = None
    select: Sequence[str] = ()
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    output_format: str = "text"
    exit_zero: bool = False
    fail_on: str = "error"
    force_exclude: bool = False
    cwd: Path = field(default_factory=Path.cwd)


def split_selectors(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def prepare(options: CheckOptions, rules: Sequence[Rule]) -> tuple[Config, list[Rule]]:
    config = load_config(rules, options.cwd, options.config)
    origin = str(config.source) if config.source else "config"
    check_selectors(config.select, rules, origin)
    check_selectors(config.ignore, rules, origin)
    for selectors in config.per_file_ignores.values():
        check_selectors(selectors, rules, origin)
    select = split_selectors(options.select) or list(config.select)
    select += split_selectors(options.extend_select)
    ignore = list(config.ignore) + split_selectors(options.ignore)
    check_selectors(select, rules, "--select")
    check_selectors(ignore, rules, "--ignore")
    return config, enabled_rules(rules, select, ignore)


def check(options: CheckOptions, out=None) -> int:
    from .rules import RULES

    out = out or sys.stdout
    if options.output_format not in FORMATS:
        raise AgentLintError(
            f"unknown output format '{options.output_format}' (choose from {', '.join(FORMATS)})"
        )
    config, rules = prepare(options, RULES)
    known = discover(config)
    if options.paths:
        # Relative paths are relative to options.cwd, not to the process's directory.
        paths = [options.cwd / path for path in options.paths]
        targets = expand_targets(paths, config, known, options.force_exclude)
        documents = {**known, **targets}
    else:
        targets = known
        documents = known
    project = load_project(config, documents.items())
    outcome = lint(project, rules, RULES, targets)

    cwd = options.cwd.resolve()
    root = config.root.resolve()

    def display_path(path: str) -> str:
        return Path(os.path.relpath(root / path, cwd)).as_posix() if path else "."

    report = Report(outcome.violations, outcome.files, RULES, display_path, __version__)
    out.write(render(options.output_format, report))
    return exit_code(outcome.violations, options)


def exit_code(violations: Sequence, options: CheckOptions) -> int:
    if options.exit_zero:
        return EXIT_CLEAN
    threshold = {Severity.ERROR} if options.fail_on == "error" else {Severity.ERROR, Severity.WARNING}
    return EXIT_VIOLATIONS if any(v.severity in threshold for v in violations) else EXIT_CLEAN


