"""Glob patterns for config keys (``session-logs``, ``per-file-ignores`` ...).

Patterns are anchored at the project root: ``*`` and ``?`` stay within one
path segment, ``**`` spans any number of them (``**/README.md`` is a
README.md at any depth), ``[...]`` is a character class, and a pattern that
names a folder covers everything inside it. Translated to one regex, so
matching costs no import at start-up.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=None)
def compile_glob(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip().removeprefix("./").lstrip("/")
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
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
                continue
        else:
            out.append(re.escape(char))
        i += 1
    body = "".join(out).rstrip("/")
    # A pattern naming a directory covers everything inside it.
    return re.compile(f"{body}(?:/.*)?")


@lru_cache(maxsize=None)
def compile_globs(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for a list of globs (None for an empty list)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{compile_glob(p).pattern})" for p in patterns))


def matches(pattern: str, path: str) -> bool:
    """Does a root-relative POSIX path match a glob (or lie below a matching directory)?"""
    return compile_glob(pattern).fullmatch(path) is not None


def matches_any(patterns: tuple[str, ...], path: str) -> bool:
    regex = compile_globs(tuple(patterns))
    return regex is not None and regex.fullmatch(path) is not None


def static_prefix(pattern: str) -> str:
    """The leading part of a glob that holds no wildcard: the folder (or file) to search."""
    pattern = pattern.strip().removeprefix("./").lstrip("/").rstrip("/")
    parts = pattern.split("/")
    if not any(c in pattern for c in "*?["):
        return pattern
    fixed = []
    for part in parts[:-1]:
        if any(c in part for c in "*?["):
            break
        fixed.append(part)
    return "/".join(fixed)
