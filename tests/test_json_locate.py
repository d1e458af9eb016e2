"""JsonDocument.locate: the 1-based position of the value a path names, in code points."""

from __future__ import annotations

import pytest

from agent_lint.document import JsonDocument, parse_document


def js(text: str) -> JsonDocument:
    doc = parse_document("log.json", None, text.encode("utf-8"))
    assert isinstance(doc, JsonDocument), doc.load_error
    return doc


@pytest.mark.parametrize(
    ("text", "path", "position"),
    [
        ('{"a": {"b": [1, {"c": 2}]}}', ["a", "b", 1, "c"], (1, 23)),
        ('{"a": {"b": [1, {"c": 2}]}}', ["a", "b", 1], (1, 17)),
        ('{"a": {"b": [1, {"c": 2}]}}', [], (1, 1)),
        ("[[1,2],[3,4]]", [1, 1], (1, 11)),
        ('{"a" : 1 , "b":2}', ["b"], (1, 16)),
        ('{"a": true, "b": [true, null, -1.5e3, "x"]}', ["b", 3], (1, 39)),
        ('{"a": true, "b": [true, null, -1.5e3, "x"]}', ["b", 2], (1, 31)),
        ('\n\n  {"a":\n\n     "v"}', ["a"], (5, 6)),
        # Escaped quotes and brackets inside strings do not end anything.
        ('{"k\\"]": [1], "x": "a\\"}]", "y": 3}', ["y"], (1, 34)),
        ('{"k\\"]": [1], "x": "a\\"}]", "y": 3}', ['k"]', 0], (1, 11)),
        ('{"a\\\\": "\\\\", "b": 1}', ["b"], (1, 20)),
        # Keys written with escapes match their decoded form.
        ('{"\\u00e9": 1}', ["é"], (1, 12)),
        # Columns count code points, astral ones included.
        ('{"é": "漢字", "z": 1}', ["z"], (1, 18)),
        ('{"s": "😀😀", "z": 1}', ["z"], (1, 18)),
        # Steps may be written as strings, the way a JSON pointer spells them.
        ('{"a": [10, 20]}', ["a", "1"], (1, 12)),
        ('{"0": "zero"}', [0], (1, 7)),
    ],
)
def test_locate(text, path, position):
    assert js(text).locate(path) == position


def test_duplicate_keys_resolve_to_the_last_like_json_loads():
    doc = js('{"a": {"b": 1}, "a": {"c": 2}}')
    assert doc.data == {"a": {"c": 2}}
    assert doc.locate(["a"]) == (1, 22)
    assert doc.locate(["a", "c"]) == (1, 28)
    # "b" existed only in the first, overridden "a": the last "a" is the deepest existing value.
    assert doc.locate(["a", "b"]) == (1, 22)


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "x", "role": "worker", "dispatched": ["a", "b"], "workLog": ["long"], "outcome": "x"}',
        '{\n  "role": "worker",\n  "workLog": [1],\n  "role": "orchestrator"\n}',  # the last "role" holds
        '{"role": "w", "x": {"role": "w"}, "role": "w"}',  # a duplicate with the same value
        '{"a\\u0020b": 1, "role": {"k": [1, 2]}, "dispatched": "x"}',
        '{"r\\u006fle": "x", "role": "y"}',  # an escaped duplicate: json.loads keeps the last
        '[{"role": 1}]',
        '{}',
    ],
)
def test_locate_members_agrees_with_locate(text):
    doc = js(text)
    paths = [("role",), ("dispatched", 1), ("role", "k", 1), ("missing",), ("dispatched",), ()]
    assert js(text).locate_members(paths) == [doc.locate(list(path)) for path in paths]


@pytest.mark.parametrize(
    ("path", "position"),
    [
        (["a", "zz", "q"], (2, 8)),  # missing key below "a"
        (["a", "b", 9], (3, 10)),  # index past the end of "b"
        (["a", "b", 0, "x"], (3, 11)),  # a step into a number
        (["nope"], (1, 1)),  # missing at the top: the document itself
        ([0], (1, 1)),  # an index into an object
    ],
)
def test_missing_path_falls_back_to_the_deepest_existing_value(path, position):
    doc = js('{\n  "a": {\n    "b": [1, 2]\n  }\n}')
    assert doc.locate(path) == position


def test_crlf_and_bom():
    text = '{\r\n  "a": 1,\r\n  "b": [\r\n    "x"\r\n  ]\r\n}\r\n'
    doc = js(text)
    assert doc.locate(["b"]) == (3, 8)
    assert doc.locate(["b", 0]) == (4, 5)
    bom = parse_document("log.json", None, b"\xef\xbb\xbf" + text.encode())
    assert bom.has_bom and bom.locate(["b", 0]) == (4, 5)


def test_bare_carriage_returns_count_as_line_breaks():
    # The lines a report shows are Document.lines, which split on "\r" too.
    doc = js('{"a": 1,\r"b": 2}')
    assert doc.lines == ['{"a": 1,', '"b": 2}']
    assert doc.locate(["b"]) == (2, 6)


def test_deep_but_valid_nesting_is_located_without_recursion():
    depth = 500
    doc = js("[" * depth + "7" + "]" * depth)
    assert doc.locate([0] * depth) == (1, depth + 1)


def test_fifty_thousand_levels_do_not_recurse():
    text = "[" * 50_000 + "]" * 50_000
    doc = parse_document("log.json", None, text.encode())
    assert doc.load_error is not None
    assert (doc.load_error.kind, doc.load_error.line, doc.load_error.column) == ("json", 1, 1)
    assert "nested too deeply" in doc.load_error.message
    # locate itself never recurses, whatever text it is handed.
    raw = JsonDocument("log.json", None, text, None)
    assert raw.locate([0] * 60_000) == (1, 50_000)
    unclosed = JsonDocument("log.json", None, "[" * 50_000, None)
    assert unclosed.locate([0, 0, 5]) == (1, 3)


def test_a_value_too_deep_for_json_is_still_skipped_to_find_the_next_member():
    # json's C scanner skips most values; this one makes it raise RecursionError, and the
    # bracket walk takes over (for texts handed to locate, as above).
    depth = 50_000
    deep = JsonDocument("log.json", None, '{"a": ' + "[" * depth + "]" * depth + ', "b": 1}', None)
    assert deep.locate(["b"]) == (1, 2 * depth + 14)  # the 1, after 6 + 2 * depth + 7 characters
    unclosed = JsonDocument("log.json", None, '{"a": [' + "[" * depth + ', "b": 1}', None)
    assert unclosed.locate(["b"]) == (1, 1)  # never found: the walk stops at the object


@pytest.mark.parametrize(
    ("data", "line", "column", "message"),
    [
        (b'{"id": "x",\n  "role": "worker",\n}', 3, 1, "Expecting property name"),
        (b'{"a":\r1,\r"b" 2}', 3, 5, "Expecting ':' delimiter"),
        (b"", 1, 1, "Expecting value"),
        (b"[" + b"1" * 5000 + b"]", 1, 2, "number too long"),
        (b'{"a": 1}\n{"b": 2}', 2, 1, "Extra data"),
    ],
)
def test_invalid_json_positions(data, line, column, message):
    doc = parse_document("log.json", None, data)
    assert doc.load_error is not None
    assert (doc.load_error.line, doc.load_error.column) == (line, column)
    assert message in doc.load_error.message


def test_many_paths_into_one_container_are_all_located(monkeypatch):
    # 5,000 findings in one array (tests/security/test_linear_time.py holds the time to the size).
    count = 5000
    doc = js('{"items": [\n' + ",\n".join(f'  {{"n": {i}, "b": "x"}}' for i in range(count)) + "\n], \"tail\": 1}")
    positions = [doc.locate(["items", i, "b"]) for i in reversed(range(count))]
    assert positions == [(2 + i, 16 + len(str(i))) for i in reversed(range(count))]
    assert doc.locate(["tail"]) == (2 + count, 12)


def test_positions_stay_right_past_the_first_few_asked():
    doc = js('{"a": 1,\n "b": 2,\r\n "c": [3,\n 4]}')
    asked = [(["a"], (1, 7)), (["b"], (2, 7)), (["c", 1], (4, 2)), (["c", 0], (3, 8))] * 5
    assert [doc.locate(path) for path, _ in asked] == [where for _, where in asked]
