"""The cache's data format: every analysis survives it, and no bytes make it run anything."""

import datetime as dt
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_lint import codec
from agent_lint.model import Edit, Finding, Fix, Kind, Outcome, Severity, Violation
from agent_lint.runner import CheckOptions, check

FIXTURES = Path(__file__).parent / "fixtures"


def same(a, b) -> bool:
    """Equal, with the same types all the way down (a list is no tuple, a NamedTuple no tuple)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(k, l) and same(a[k], b[l]) for k, l in zip(a, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (set, frozenset)):
        return a == b
    return a == b or (a != a and b != b)  # NaN


def test_every_analysis_of_the_fixtures_comes_back_the_same(tmp_path, monkeypatch):
    from agent_lint import index
    from agent_lint.cache import digest as content_digest

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    written = []
    original = index.entry

    def spy(analysis):
        written.append(original(analysis))
        return written[-1]

    monkeypatch.setattr(index, "entry", spy)
    for project in sorted((FIXTURES / "projects").iterdir()):
        check(CheckOptions(cwd=project, cache_dir=tmp_path / project.name, select=("ALL", "AL205")),
              out=io.StringIO())
    kinds = {type(value.view).__name__ for value, _, _, _ in written}
    assert {"SessionLog", "Handoff", "SystemDocument", "NoneType"} <= kinds
    assert any(value.findings for value, _, _, _ in written)
    assert any(value.suppressions is not None for value, _, _, _ in written)
    for value, view, view_digest, blob in written:
        back, view_bytes, digest = index.from_entry(blob, value.path, value.digest)
        assert same(back, value) and bytes(view_bytes) == view
        assert digest == view_digest == content_digest(view)
        assert same(index.view_of(view, value.kind), value.view)


def test_values_of_every_shape_come_back_the_same():
    value = {
        "tuple": (1, "~not a tag", ("~l", 2)), "list": [1.5, None, True, []], "empty": (), "nan": float("nan"),
        "keys": {1: "a", (1, 2): "b", None: "c", "~": "d"}, "sets": ({3, 1}, frozenset({"x"})),
        "bytes": b"\x00\xff", "when": (dt.date(2026, 3, 2), dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)),
        "path": "caf\udce9.md", "big": 10 ** 40, "kind": Kind.HANDOFF,
        "violation": Violation("a.md", 1, 2, "AL001", "x", "m", Severity.ERROR,
                               Fix("f", (Edit(0, 1, "y"),))),
        "outcome": Outcome([Violation("a.md", 1, 2, "AL001", "x", "m", Severity.WARNING)], 3),
    }
    text = codec.dumps(value)
    assert b"\n" not in text and text.isascii()
    assert same(codec.loads(text), value)


def test_a_type_that_is_not_listed_cannot_be_written():
    class Stranger:
        pass

    with pytest.raises(TypeError, match="codec.TYPES"):
        codec.dumps([Stranger()])


@pytest.mark.parametrize("text", [
    b"", b"\xff", b"[", b'["~system", "id"]', b'["~os.system", "id"]', b'["~Popen", ["id"]]',
    b'["~Finding", 1]', b'["~Kind", "no such kind"]', b'["~d", 1]', b'["~d", ["~l"], 2]', b'["~s", ["~l"]]',
    b'["~SessionRecord", [1]]', b'["~Handoff", 1, 2]', b'["~dt", "yesterday"]', b'["~b", 1]',
    b"[" * 100_000 + b"]" * 100_000,
])
def test_bytes_it_did_not_write_are_refused(text):
    with pytest.raises(codec.CodecError):
        codec.loads(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["~t", "~l", "~d", "~s", "~f", "~b", "~dt", "~Finding", "~Kind", "~MarkdownDocument",
                       "~Outcome", "~Analysis", "~nothing", "~__main__", "~os"]),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_reads_as_plain_data_or_is_refused(tree):
    before = set(sys.modules)
    try:
        codec.loads(json.dumps(tree))
    except codec.CodecError:
        pass
    # Reading imported nothing but agent-lint's own modules.
    assert {name for name in set(sys.modules) - before if not name.startswith("agent_lint")} == set()


def test_findings_keep_their_fix_through_the_cache():
    finding = Finding(3, 1, "m", "p.md", Fix("f", (Edit(1, 2, "x"),)))
    assert codec.loads(codec.dumps((("AL205", finding),))) == (("AL205", finding),)
