"""Glob patterns for config keys (``session-logs``, ``per-file-ignores`` ...).

The syntax is gitignore's, anchored at the project root: ``*`` and ``?``
stay within one path segment, ``**`` spans any number of them, ``[...]`` is
a character class (``[!...]`` or ``[^...]`` negated), ``\\`` makes the next
character literal. A pattern without a slash matches the file name at any
depth (``/HANDOFF.md`` is the top-level file only), and a pattern that names
a folder covers everything inside it. Translated to one regex, so matching
costs no import at start-up; a malformed class ("[z-a]", "[]") is taken
literally, never an error.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=None)
def compile_glob(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip().removeprefix("./")
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.lstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        elif char == "[" and (found := _char_class(pattern, i)) is not None:
            regex, i = found
            out.append(regex)
            continue
        else:
            out.append(re.escape(char))
        i += 1
    body = "".join(out).rstrip("/")
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern naming a directory covers everything inside it.
    return re.compile(f"{prefix}{body}(?:/.*)?")


def _char_class(pattern: str, start: int) -> tuple[str, int] | None:
    """The regex of the class opening at ``start`` and the offset past it, or None."""
    first = start + 1
    negate = pattern[first:first + 1] in ("!", "^")
    first += negate
    # A "]" right after the opening bracket is a member, not the end.
    end = pattern.find("]", first + 1 if pattern[first:first + 1] == "]" else first)
    if end == -1:
        return None
    body = "".join("\\" + c if c in "\\[]^" else c for c in pattern[first:end])
    regex = f"[{'^' if negate else ''}{body}]"
    try:
        re.compile(regex)
    except re.error:
        return None
    return regex, end + 1


@lru_cache(maxsize=None)
def compile_globs(patterns: tuple[str, ...], ignore_case: bool = False) -> re.Pattern[str] | None:
    """One regex for a list of globs (None for an empty list)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{compile_glob(p).pattern})" for p in patterns), re.I if ignore_case else 0)


def matches(pattern: str, path: str) -> bool:
    """Does a root-relative POSIX path match a glob (or lie below a matching directory)?"""
    return compile_glob(pattern).fullmatch(path) is not None


def static_prefix(pattern: str) -> str:
    """Where a search for a glob's matches can start: its leading folders that
    hold no wildcard, or the whole path of an anchored literal ('' when the
    pattern may match anywhere)."""
    pattern = pattern.strip().removeprefix("./")
    if "/" not in pattern.rstrip("/"):
        return ""  # unanchored: any depth
    pattern = pattern.strip("/")
    parts = pattern.split("/")
    if not any(c in pattern for c in "*?["):
        return pattern
    fixed = []
    for part in parts[:-1]:
        if any(c in part for c in "*?["):
            break
        fixed.append(part)
    return "/".join(fixed)
