"""The ``agent-lint`` command line (typer).

Commands only translate arguments; the work lives in runner and friends.
Every error a user can cause ends in one line on stderr and exit code 2;
an internal error too (with ``AGENT_LINT_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperCommand

from .guard import Failed, call
from .model import AgentLintError

app = typer.Typer(
    name="agent-lint",
    help="Lint AGENT-SYSTEM.md, session logs and HANDOFF files of multi-agent workflows.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},  # every command inherits them
)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"agent-lint {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Print agent-lint's version and exit."),
) -> None:
    """Lint AGENT-SYSTEM.md, session logs and HANDOFF files of multi-agent workflows."""


def guarded(func):
    """Turn every exception into a one-line message and exit code 2 (see guard)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return call(func, *args, passthrough=(typer.Exit, typer.Abort), **kwargs)
        except Failed as failed:
            raise typer.Exit(failed.code) from None

    return wrapper


@app.command("check")
@guarded
def check_command(
    paths: Optional[List[Path]] = typer.Argument(None, help="Files or folders to report on (default: the whole project)."),
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (.agent-lint.toml or pyproject.toml)."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Codes, prefixes or names to enable (comma-separated, repeatable); replaces the config's select."),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select", help="Codes, prefixes or names to enable in addition."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Codes, prefixes or names to disable."),
    output_format: str = typer.Option("text", "--output-format", help="text, json, github, sarif or junit."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when violations are found."),
    fail_on: str = typer.Option("error", "--fail-on", help="Lowest severity that makes the exit code 1: error or warning."),
    force_exclude: bool = typer.Option(False, "--force-exclude", help="Skip named files that the config excludes or .gitignore ignores."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Cache folder (default: .agent_lint_cache in the project root)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Processes for parsing (default: one per core)."),
    since: Optional[str] = typer.Option(None, "--since", metavar="REF", help="Also check the git history from the merge base of REF and HEAD, e.g. origin/main in a pull request."),
    fix: bool = typer.Option(False, "--fix", help="Apply the fixes rules offer, then report what remains."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as a unified diff; write nothing (exit 1 if there are any)."),
    pre_push: bool = typer.Option(False, "--pre-push", help="Check the history pre-commit's pre-push stage is about to push (PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, which must be HEAD)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE", help="Report only violations not recorded in FILE, and its entries that match nothing (AL007); default: the config's baseline key."),
    write_baseline: Optional[Path] = typer.Option(None, "--write-baseline", metavar="FILE", help="Record every current violation in FILE and exit 0."),
    statistics: bool = typer.Option(False, "--statistics", help="Print how many violations of each rule instead of the violations (text or json)."),
) -> None:
    """Check the agent documents of the repository (or only report on PATHS)."""
    from .runner import CheckOptions, check

    if fail_on not in ("error", "warning"):
        raise AgentLintError(f"--fail-on takes 'error' or 'warning', not '{fail_on}'")
    expect_head, whole_history = None, False
    if pre_push:
        if since is not None:
            raise AgentLintError("--pre-push and --since both name the history; give one")
        since, expect_head = pre_push_range()
        whole_history = since is None
    options = CheckOptions(
        paths=tuple(paths or ()),
        config=config,
        select=tuple(select or ()),
        extend_select=tuple(extend_select or ()),
        ignore=tuple(ignore or ()),
        output_format=output_format,
        exit_zero=exit_zero,
        fail_on=fail_on,
        force_exclude=force_exclude,
        no_cache=no_cache,
        cache_dir=cache_dir,
        jobs=jobs,
        since=since,
        fix=fix,
        diff=diff,
        expect_head=expect_head,
        whole_history=whole_history,
        baseline=baseline,
        write_baseline=write_baseline,
        statistics=statistics,
    )
    raise typer.Exit(check(options))


def pre_push_range() -> tuple[str | None, str | None]:
    """(since, the commit pushed) from the variables pre-commit sets for pre-push hooks.

    pre-commit leaves both unset when a push brings the root commit (a first
    push): every commit of HEAD is new to the remote, so since is None, the
    whole history.
    """
    since = os.environ.get("PRE_COMMIT_FROM_REF") or None
    pushed = os.environ.get("PRE_COMMIT_TO_REF") or None
    if since is None and not os.environ.get("PRE_COMMIT"):
        raise AgentLintError("--pre-push reads PRE_COMMIT_FROM_REF, which pre-commit sets in its pre-push"
                             " stage; outside pre-commit use --since REF")
    return since, pushed


@app.command("batches")
@guarded
def batches_command(
    since: str = typer.Option(..., "--since", metavar="REF", help="The range is merge-base(REF, HEAD)..HEAD, e.g. origin/main."),
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (.agent-lint.toml or pyproject.toml)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
    output_format: str = typer.Option("text", "--format", help="text (a tree), mermaid (Markdown with a flowchart and a gantt chart per batch) or json (each batch's sessions, times and figures)."),
) -> None:
    """Show each parallel batch in the range, its sessions and commits, violations marked, and what parallelism saved."""
    from .runner import CheckOptions, batches

    raise typer.Exit(batches(CheckOptions(config=config, no_cache=no_cache, since=since), fmt=output_format))


@app.command("fmt")
@guarded
def fmt_command(
    paths: Optional[List[Path]] = typer.Argument(None, help="Files or folders to format (default: every Markdown agent document)."),
    check: bool = typer.Option(False, "--check", help="List the files that would change and exit 1 if any; write nothing."),
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (.agent-lint.toml or pyproject.toml)."),
) -> None:
    """Format Markdown agent documents canonically (mdformat with GFM); JSON is left alone."""
    from .fmt import FmtOptions, run_fmt

    raise typer.Exit(run_fmt(FmtOptions(paths=tuple(paths or ()), check=check, config=config)))


@app.command("init")
@guarded
def init_command(
    path: Optional[Path] = typer.Argument(None, help="The repository to set up (default: the enclosing git work tree, else the current folder)."),
    write_ci: bool = typer.Option(False, "--write-ci", help="Also add the pre-commit hook and write a GitHub workflow (never replacing a file)."),
    baseline: bool = typer.Option(False, "--baseline", help="Record the violations already there in .agent-lint-baseline.json and set the config's baseline key."),
    agent: Optional[str] = typer.Option(None, "--agent", metavar="RUNTIME", help="Also install the stop hook of this agent runtime: claude-code (.claude/settings.json)."),
) -> None:
    """Set agent-lint up in an existing repository: config, system document, session-log folder."""
    from .init import InitOptions, run_init

    raise typer.Exit(run_init(InitOptions(root=path, write_ci=write_ci, baseline=baseline, agent=agent)))


class _NeverBlocking(TyperCommand):
    """A command whose usage errors exit 0: exit code 2 is Claude Code's "block the stop"."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except Exception as err:
            # A usage error, known by its shape: typer has its own copy of click from 0.28 on.
            if getattr(err, "exit_code", None) != 2 or not hasattr(err, "format_message"):
                raise
            sys.stderr.write(f"agent-lint hook: {err.format_message().rstrip('.')}; nothing checked\n")
            ctx.exit(0)


@app.command("hook", cls=_NeverBlocking)
def hook_command(
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (.agent-lint.toml or pyproject.toml)."),
) -> None:
    """Claude Code's Stop and SubagentStop hook: reads the payload on stdin; exit 2 blocks a stop that breaks the protocol.

    Every other outcome, errors included, is exit 0 with at most one line on
    stderr: a hook must never keep an agent from stopping by accident.
    """
    from .hook import run_hook

    raise typer.Exit(run_hook(sys.stdin.buffer if sys.stdin is not None else None, sys.stderr, config=config))


@app.command("new-session")
@guarded
def new_session_command(
    slug: str = typer.Argument(..., help="What the session is about; made into the ID YYYY-MM-DD-slug."),
    role: str = typer.Option(..., "--role", help="orchestrator, worker or single."),
    orchestrator: Optional[str] = typer.Option(None, "--orchestrator", metavar="ID", help="A worker's orchestrator session, which must have a log."),
    output_format: str = typer.Option("md", "--format", help="md or json."),
    day: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="The session's date (default: today)."),
    agent: str = typer.Option("unknown", "--agent", envvar="AGENT_LINT_AGENT", help="The agent or tool running the session."),
    objective: Optional[str] = typer.Option(None, "--objective", help="One line stating the task (default: the slug in words)."),
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (.agent-lint.toml or pyproject.toml)."),
) -> None:
    """Write a new session log that checks clean, and print its path."""
    from .new_session import NewSessionOptions, new_session

    raise typer.Exit(new_session(NewSessionOptions(
        slug=slug, role=role, orchestrator=orchestrator, format=output_format, date=day, agent=agent,
        objective=objective, config=config,
    )))


@app.command("rules")
@guarded
def rules_command(
    output_format: str = typer.Option("text", "--output-format", help="text or json."),
) -> None:
    """List every rule: code, name, default severity, whether it can fix, summary."""
    from .docs import rules_json, rules_table

    if output_format not in ("text", "json"):
        raise AgentLintError(f"unknown output format '{output_format}' (choose from text, json)")
    if output_format == "json":
        typer.echo(rules_json(), nl=False)
        return
    from .terminal import wants_colour, width

    typer.echo(rules_table(width(sys.stdout), wants_colour(sys.stdout)), nl=False)


@app.command("rule")
@guarded
def rule_command(code: str = typer.Argument(..., help="A rule code (AL102) or name.")) -> None:
    """Print the documentation of one rule."""
    from .docs import rule_text
    from .rules import by_code_or_name

    rule = by_code_or_name(code)
    if rule is None:
        raise AgentLintError(f"no rule '{code}' (see 'agent-lint rules')")
    typer.echo(rule_text(rule), nl=False)


def run(argv: list[str]) -> int:
    try:
        app(args=argv, prog_name="agent-lint", standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    return 0
