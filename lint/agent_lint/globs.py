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


# Tokens of a glob, each with the regex it stands for; what matches one character, or a run of them:
#   ("char", regex)  one character: a literal, "?" ([^/]) or a class
#   ("star", regex)  a run of those characters: "*" ([^/]*), "**" (.*)
#   ("open",) ("close",)  an optional group: "**/" is (?:.*/)?, and so are the unanchored
#                         prefix and the suffix that covers what is inside a folder (?:/.*)?
_ANY, _NOT_SLASH = ".", "[^/]"
_NOTHING = re.compile("(?!)")


def _tokens(pattern: str) -> list[tuple[str, ...]]:
    pattern = pattern.strip().removeprefix("./")
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.lstrip("/")
    tokens: list[tuple[str, ...]] = [] if anchored else [("open",), ("star", _ANY), ("char", "/"), ("close",)]
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            tokens += [("open",), ("star", _ANY), ("char", "/"), ("close",)]
            i += 3
            continue
        if pattern.startswith("**", i):
            tokens.append(("star", _ANY))
            i += 2
            continue
        if char == "*":
            tokens.append(("star", _NOT_SLASH))
        elif char == "?":
            tokens.append(("char", _NOT_SLASH))
        elif char == "\\" and i + 1 < len(pattern):
            tokens.append(("char", re.escape(pattern[i + 1])))
            i += 2
            continue
        elif char == "[" and (found := _char_class(pattern, i)) is not None:
            regex, i = found
            tokens.append(("char", regex))
            continue
        else:
            tokens.append(("char", re.escape(char)))
        i += 1
    while tokens and tokens[-1] == ("char", "/"):  # "drafts/" names the folder
        tokens.pop()
    return tokens + [("open",), ("char", "/"), ("star", _ANY), ("close",)]  # and covers what is inside it


def _regex(tokens: list[tuple[str, ...]]) -> str:
    parts = {"open": "(?:", "close": ")?"}
    return "".join(parts.get(token[0]) or (token[1] + "*" if token[0] == "star" else token[1]) for token in tokens)


@lru_cache(maxsize=None)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regex of a glob (Python's re: fast, but backtracking; see compile_globs)."""
    return re.compile(_regex(_tokens(pattern)))


def _backtracks(tokens: list[tuple[str, ...]]) -> bool:
    """Could re take more than linear time on this glob? Yes past one run that crosses folders
    ("**", the unanchored prefix) or two "*" in one folder: each is a choice re may retry for
    every choice of the others."""
    crossing = sum(1 for token in tokens[:-4] if token == ("star", _ANY))  # the suffix is tried once
    in_segment = most = 0
    for token in tokens:
        if token == ("char", "/") or token == ("star", _ANY):
            in_segment = 0
        elif token == ("star", _NOT_SLASH):
            in_segment += 1
            most = max(most, in_segment)
    return crossing > 1 or most > 1


class _Linear:
    """A glob matched in time linear in the path, whatever the glob: its automaton run on bit sets
    (shift-and), one step per character, with the regex's exact meaning."""

    def __init__(self, tokens: list[tuple[str, ...]], flags: int = 0):
        self.positions: list[tuple[str, re.Pattern[str]]] = []  # what each state's token matches
        self.skip = 0  # bits: the states of stars, which may match nothing
        self.groups: list[tuple[int, int]] = []  # (first, after last) state of each optional group
        opened: list[int] = []
        for token in tokens:
            at = len(self.positions)
            if token[0] == "open":
                # A state of its own, left by a step that consumes nothing: once inside the group
                # (a star looping at its first state), the way around it is gone.
                opened.append(at)
                self.skip |= 1 << at
                self.positions.append(("open", _NOTHING))
            elif token[0] == "close":
                self.groups.append((opened.pop(), at))
            else:
                if token[0] == "star":
                    self.skip |= 1 << at
                self.positions.append((token[0], re.compile(token[1], re.S | flags)))
        self.final = 1 << len(self.positions)
        self._masks: dict[str, tuple[int, int]] = {}

    def _closure(self, states: int) -> int:
        while True:
            grown = states | ((states & self.skip) << 1)
            for start, end in self.groups:  # a group left out: from its start straight past its end
                if grown >> start & 1:
                    grown |= 1 << end
            if grown == states:
                return states
            states = grown

    def _masks_of(self, char: str) -> tuple[int, int]:
        """(states a character moves on from, states it loops in) for one character."""
        masks = self._masks.get(char)
        if masks is None:
            advance = loop = 0
            for at, (kind, regex) in enumerate(self.positions):
                if regex.fullmatch(char):
                    advance |= 1 << at
                    if kind == "star":
                        loop |= 1 << at
            masks = self._masks[char] = (advance & ~self.skip, loop)
        return masks

    def fullmatch(self, path: str) -> bool | None:
        states = self._closure(1)
        for char in path:
            advance, loop = self._masks_of(char)
            states = self._closure(((states & advance) << 1) | (states & loop))
            if not states:
                return None
        return True if states & self.final else None


class _Globs:
    """Globs some of which re could take long on: those run as _Linear, the rest as one regex."""

    def __init__(self, regex: re.Pattern[str] | None, linear: list[_Linear]):
        self.regex, self.linear = regex, linear

    def fullmatch(self, path: str) -> bool | re.Match[str] | None:
        if self.regex is not None and (found := self.regex.fullmatch(path)) is not None:
            return found
        return True if any(glob.fullmatch(path) for glob in self.linear) else None


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
def compile_globs(patterns: tuple[str, ...], ignore_case: bool = False) -> re.Pattern[str] | _Globs | None:
    """One matcher for a list of globs (None for an empty list), with ``fullmatch(path)``.

    The globs re matches in linear time (at most one run crossing folders
    and one "*" per folder: every default, and nearly every real one) are
    one regex; any other (a repository's config is as untrusted as its
    documents: "*a*a*a*a*b" took re minutes on a long name) runs as an
    automaton whose time is linear in the path. ``ignore_case`` matches
    letters in any case.
    """
    if not patterns:
        return None
    flags = re.I if ignore_case else 0
    simple, linear = [], []
    for pattern in patterns:
        tokens = _tokens(pattern)
        (linear.append(_Linear(tokens, flags)) if _backtracks(tokens) else simple.append(f"(?:{_regex(tokens)})"))
    regex = re.compile("|".join(simple), flags) if simple else None
    return regex if not linear else _Globs(regex, linear)


def matches(pattern: str, path: str) -> bool:
    """Does a root-relative POSIX path match a glob (or lie below a matching directory)?"""
    matcher = compile_globs((pattern,))
    return matcher is not None and matcher.fullmatch(path) is not None


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
