"""The glob translator (gitignore syntax, anchored at the project root) and static_prefix."""

from __future__ import annotations

import re

import pytest

from agent_lint.globs import matches, static_prefix


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        # "*" and "?" stay within one segment.
        (".agents/sessions/*.md", ".agents/sessions/a.md", True),
        (".agents/sessions/*.md", ".agents/sessions/sub/a.md", False),
        (".agents/sessions/*.md", ".agents/sessions/a.json", False),
        ("log-?.md", "log-1.md", True),
        ("log-?.md", "log-12.md", False),
        ("a?b", "a/b", False),
        ("a*b", "a/b", False),
        # "**" spans any number of segments, none included.
        (".agents/handoffs/**/*.md", ".agents/handoffs/h.md", True),
        (".agents/handoffs/**/*.md", ".agents/handoffs/2026/01/h.md", True),
        (".agents/handoffs/**/*.md", ".agents/other/h.md", False),
        ("**/HANDOFF.md", "HANDOFF.md", True),
        ("**/HANDOFF.md", "a/b/HANDOFF.md", True),
        ("a/**/b.md", "a/b.md", True),
        ("a/**/b.md", "a/x/y/b.md", True),
        ("a/**/b.md", "ab.md", False),
        ("logs/**", "logs/x/y.json", True),
        ("logs/**", "logs", False),
        ("**", "any/thing.md", True),
        # Character classes, negated with "!" or "^"; a malformed one is literal.
        ("log-[0-9].md", "log-7.md", True),
        ("log-[0-9].md", "log-x.md", False),
        ("log-[!0-9].md", "log-x.md", True),
        ("log-[!0-9].md", "log-7.md", False),
        ("log-[^0-9].md", "log-7.md", False),
        ("[]]x", "]x", True),
        ("log-[z-a].md", "log-[z-a].md", True),
        ("log-[z-a].md", "log-b.md", False),
        ("x[]", "x[]", True),
        ("x[", "x[", True),
        # A backslash makes the next character literal.
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        # Regex metacharacters are literal.
        ("a+b(c).md", "a+b(c).md", True),
        ("a.md", "aXmd", False),
        # Without a slash: the name at any depth; with one: anchored at the root.
        ("*.md", "a/b/c.md", True),
        ("README.md", "docs/README.md", True),
        ("/README.md", "docs/README.md", False),
        ("/README.md", "README.md", True),
        ("docs/README.md", "x/docs/README.md", False),
        ("./docs/README.md", "docs/README.md", True),
        # Directory patterns cover what is inside them.
        ("drafts/", "drafts/a.md", True),
        ("drafts/", "x/drafts/y/a.md", True),
        ("drafts", "x/drafts/a.md", True),
        ("/drafts/", "x/drafts/a.md", False),
        (".agents/archive", ".agents/archive/2025/a.md", True),
        (".agents/archive", ".agents/archived.md", False),
    ],
)
def test_matches(pattern, path, expected):
    assert matches(pattern, path) is expected


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        (".agents/sessions/*.json", ".agents/sessions"),
        (".agents/handoffs/**/*.md", ".agents/handoffs"),
        ("logs/2026-*/*.md", "logs"),
        ("a/[bc]/x.md", "a"),
        ("a/b?/x.md", "a"),
        ("**/HANDOFF.md", ""),
        ("*.md", ""),
        # Unanchored: could be anywhere.
        ("HANDOFF.md", ""),
        ("drafts/", ""),
        # Anchored literals are their own prefix: a file or a folder to look at.
        ("/HANDOFF.md", "HANDOFF.md"),
        (".agents/HANDOFF.md", ".agents/HANDOFF.md"),
        ("./docs/SYSTEM.md", "docs/SYSTEM.md"),
        ("/docs/", "docs"),
        ("a/b/", "a/b"),
    ],
)
def test_static_prefix(pattern, prefix):
    assert static_prefix(pattern) == prefix


@pytest.mark.parametrize("pattern", [".agents/sessions/*.json", ".agents/handoffs/**/*.md", "a/[bc]/x.md", "/HANDOFF.md"])
def test_every_match_lies_below_the_static_prefix(pattern):
    prefix = static_prefix(pattern)
    for path in (".agents/sessions/a.json", ".agents/handoffs/x/h.md", "a/b/x.md", "HANDOFF.md"):
        if matches(pattern, path):
            assert path == prefix or path.startswith(prefix + "/")


# --- linear time on any glob ------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from agent_lint import globs  # noqa: E402

GLOB_PARTS = ["a", "b", "/", "*", "**", "**/", "?", "[ab]", "[!a]", "\\*", ".", "a.md"]
PATH_PARTS = ["a", "b", "/", "*", ".", "md", "a.md", "/a"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(GLOB_PARTS), max_size=7).map("".join),
       st.lists(st.sampled_from(PATH_PARTS), max_size=8).map("".join))
def test_the_linear_matcher_means_what_the_regex_means(pattern, path):
    expected = globs.compile_glob(pattern).fullmatch(path) is not None
    assert (globs._Linear(globs._tokens(pattern)).fullmatch(path) is not None) is expected


@pytest.mark.parametrize("pattern", ["*a*a*a*a*a*a*a*a*a*a*b", "**/**/**/**/**/**/**/**/x", "**a**a**a**a**b"])
def test_a_glob_that_would_backtrack_takes_one_step_per_character(pattern, monkeypatch):
    steps = []
    closure = globs._Linear._closure
    monkeypatch.setattr(globs._Linear, "_closure", lambda self, states: steps.append(1) or closure(self, states))
    matcher = globs.compile_globs((pattern, "*.md"))
    path = "a/" * 100 + "a" * 200  # minutes for re on the first glob
    assert matcher.fullmatch(path) is None and matcher.fullmatch("x/y.md") is not None
    assert len(steps) <= len(path) + 1 + len("x/y.md") + 1


def test_the_default_globs_stay_one_regex():
    from agent_lint.config import DEFAULT_EXCLUDE, DEFAULT_HANDOFF, DEFAULT_SESSION_LOGS

    for defaults in (DEFAULT_EXCLUDE, DEFAULT_HANDOFF, DEFAULT_SESSION_LOGS):
        assert isinstance(globs.compile_globs(defaults), re.Pattern)
