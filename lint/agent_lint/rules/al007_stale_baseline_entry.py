"""A baseline entry no longer matches any violation.

## What it checks
With `check --baseline FILE`: every entry of the baseline file still matches
a current violation (same path, code and fingerprint). An entry that matches
none is reported at its line in the baseline file. Entries for files outside
the paths being checked, or for rules not selected in this run, are not
judged.

## Why it matters
A baseline lets a team adopt agent-lint without fixing every old problem
first. It should only shrink: once a problem is fixed its entry must go,
or the entry would silently cover the next problem that happens to look
the same. Re-run with `--write-baseline FILE` to rewrite the file.

## Fails
A baseline entry for `AL203` on `.agents/sessions/Session_12.md` after the
file was renamed to `2026-03-06-session-12.md`.

## Passes
A baseline whose every entry still matches a violation.

## Options
None.
"""

from ..model import Finding, Rule, Scope, Severity


def check(stale, options: dict):
    # The runner calls this after matching the baseline; the engine never runs it.
    if not isinstance(stale, (list, tuple)):
        return
    for item in stale:
        entry = item.entry
        yield Finding(item.line, item.column, f"baseline entry {entry.code} for '{entry.path}' matches no "
                                              f"violation any more ({entry.message[:80]}); remove it")


RULE = Rule("AL007", "stale-baseline-entry", Scope.PROJECT, check, __doc__, severity=Severity.WARNING)
