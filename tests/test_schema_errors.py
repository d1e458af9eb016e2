"""jsonschema-rs's errors, worded by schema_errors, read exactly as jsonschema's own.

jsonschema is the reference: for each case both validators run, and the
errors must agree in path, keyword, message and agent-lint's explanation
(which picks the closest anyOf branch with jsonschema's best-match rules).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import jsonschema_rs
import pytest

from agent_lint.schema_check import CompiledSchema, builtin_schema, compile_schema
from agent_lint.schema_errors import describe, explainable, from_rs, sort_key

D7 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"

ITEM = {"type": "object", "anyOf": [
    {"required": ["Complete", "level", "Evidence"],
     "properties": {"Complete": {"type": "boolean"}, "level": {"enum": ["MUST", "SHOULD"]},
                    "Evidence": {"type": "string"}}},
    {"required": ["complete", "level", "evidence"],
     "properties": {"complete": {"type": "boolean"}, "level": {"enum": ["MUST", "SHOULD"]},
                    "evidence": {"type": "string"}}},
]}

CASES = {
    "required, in the schema's order": ({"required": ["b", "a", "c"]}, {"a": 1}),
    "type, one and several": ({"properties": {"x": {"type": "string"}, "y": {"type": ["string", "null"]}}},
                              {"x": 1, "y": 2.5}),
    "integer accepts 1.0": ({"items": {"type": "integer"}}, [1.0, 1.5, True]),
    "pattern, with and without a title": (
        {"properties": {"id": {"pattern": "^s-[0-9]+$", "title": "a session ID"}, "sha": {"pattern": "^[0-9a-f]+$"}}},
        {"id": "S-1", "sha": "xyz"}),
    "enum and const": ({"properties": {"e": {"enum": [1, "a", None]}, "c": {"const": {"k": [1]}}}},
                       {"e": 2, "c": {"k": [2]}}),
    "numeric limits": ({"properties": {"a": {"minimum": 1}, "b": {"maximum": 3}, "c": {"exclusiveMinimum": 3},
                                       "d": {"exclusiveMaximum": 3}, "e": {"multipleOf": 0.5}, "f": {"multipleOf": 3}}},
                       {"a": 0, "b": 4.5, "c": 3, "d": 3, "e": 0.3, "f": 4}),
    "lengths and sizes": ({"properties": {
        "a": {"minItems": 1}, "b": {"minItems": 2}, "c": {"maxItems": 0}, "d": {"maxItems": 1},
        "e": {"minLength": 1}, "f": {"minLength": 3}, "g": {"maxLength": 0}, "h": {"maxLength": 1},
        "i": {"minProperties": 1}, "j": {"minProperties": 2}, "k": {"maxProperties": 0}, "l": {"maxProperties": 1},
        "m": {"uniqueItems": True}}},
        {"a": [], "b": [1], "c": [1], "d": [1, 2], "e": "", "f": "ab", "g": "a", "h": "ab",
         "i": {}, "j": {"x": 1}, "k": {"x": 1}, "l": {"x": 1, "y": 2}, "m": [1, 1]}),
    "not": ({"properties": {"n": {"not": {"type": "string"}}}}, {"n": "s"}),
    "additionalProperties false": ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "z": 2, "b": 3}),
    "additionalProperties false with patterns": (
        {"patternProperties": {"^x-": {}}, "additionalProperties": False}, {"x-a": 1, "b": 2}),
    "anyOf: the branch that fails least": ({"properties": {"item": ITEM}},
                                           {"item": {"complete": True, "level": "MUST", "evidence": 3}}),
    "anyOf: a deeper error wins": ({"anyOf": [{"properties": {"a": {"properties": {"b": {"type": "string"}}}}},
                                              {"required": ["zz"]}]}, {"a": {"b": 1}}),
    "anyOf: not an object at all": ({"properties": {"item": ITEM}}, {"item": "done"}),
    "anyOf nested in anyOf": ({"anyOf": [{"anyOf": [{"type": "string"}, {"required": ["a"]}]},
                                         {"type": "array"}]}, {"b": 1}),
    "oneOf matching none": ({"oneOf": [{"type": "string"}, {"type": "array", "minItems": 1}]}, {"a": 1}),
    "ties between keywords go to the first written": ({"anyOf": [{"pattern": "x", "minLength": 5},
                                                                 {"minLength": 5, "pattern": "x"}]}, "ab"),
    "ties across a $ref, draft 2020": ({"$schema": D2020, "$defs": {"p": {"pattern": "q"}},
                                        "anyOf": [{"$ref": "#/$defs/p", "minLength": 3}, {"type": "null"}]}, "ab"),
    "a $ref into definitions, draft 7": ({"$schema": D7, "definitions": {"item": ITEM},
                                          "properties": {"items": {"type": "array", "items": {"$ref": "#/definitions/item"}}}},
                                         {"items": [{"Complete": "yes", "level": "MUST", "Evidence": "e"}, {}]}),
    "contains, draft 7": ({"$schema": D7, "contains": {"const": "x"}}, ["a", "b"]),
    "contains, draft 2020": ({"$schema": D2020, "contains": {"const": "x"}}, ["a", "b"]),
    "a key that needs quoting": ({"properties": {"odd key": {"type": "string"}}}, {"odd key": 1}),
    "array indices and keys": ({"properties": {"log": {"items": {"required": ["step"]}}}},
                               {"log": [{"step": 1}, {}, {"x": 1}]}),
}


def jsonschema_errors(schema, instance):
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return sorted(cls(schema).iter_errors(instance), key=sort_key)


def rows(errors):
    return [(list(e.absolute_path), e.validator, e.message, describe(e)) for e in errors]


@pytest.mark.parametrize("name", list(CASES))
def test_worded_exactly_as_jsonschema(name):
    schema, instance = CASES[name]
    assert explainable(schema)
    validator = jsonschema_rs.validator_for(schema, validate_formats=False)
    worded = from_rs(validator.iter_errors(instance), instance, schema)
    assert worded is not None, "a case this module words must not fall back"
    reference = jsonschema_errors(schema, instance)
    assert reference, "each case has errors"
    assert rows(sorted(worded, key=sort_key)) == rows(reference)


def test_compiled_schema_answers_with_the_same_errors_either_way():
    schema, instance = CASES["anyOf: the branch that fails least"]
    fast = compile_schema(schema)
    assert fast.explains
    slow = CompiledSchema(schema, "built-in", True)  # no jsonschema-rs: jsonschema alone
    assert rows(fast.errors(instance)) == rows(slow.errors(instance)) != []


def test_a_false_schema_error_keeps_its_path():
    # jsonschema loses the path of an error from a `false` subschema ($ instead of $.never);
    # the wording is the same, the position is the value's own.
    schema, instance = {"properties": {"keep": {}, "never": False}}, {"keep": 1, "never": 1}
    validator = jsonschema_rs.validator_for(schema, validate_formats=False)
    worded = from_rs(validator.iter_errors(instance), instance, schema)
    (reference,) = jsonschema_errors(schema, instance)
    assert [(list(e.absolute_path), e.message) for e in worded] == [(["never"], reference.message)]


@pytest.mark.parametrize("schema, instance", [
    ({"oneOf": [{}, {"type": "integer"}]}, 1),  # valid under several: which ones, in jsonschema's order
    ({"$schema": D7, "dependencies": {"a": ["b"]}}, {"a": 1}),
    ({"propertyNames": {"maxLength": 1}}, {"ab": 1}),
])
def test_what_it_cannot_word_falls_back_to_jsonschema(schema, instance):
    validator = jsonschema_rs.validator_for(schema, validate_formats=False)
    assert from_rs(validator.iter_errors(instance), instance, schema) is None
    compiled = compile_schema(schema)
    assert rows(compiled.errors(instance)) == rows(jsonschema_errors(schema, instance))


@pytest.mark.parametrize("schema", [
    {"$schema": "http://json-schema.org/draft-04/schema#", "minimum": 1, "exclusiveMinimum": True},
    {"properties": {"a": {"$id": "https://example.com/inner", "type": "string"}}},
    {"properties": {"a": {"$ref": "other.json"}}},
])
def test_schemas_it_does_not_word(schema):
    assert not explainable(schema)


def test_a_number_too_big_for_jsonschema_rs_is_still_checked():
    schema = builtin_schema("session-log.schema.json")
    huge = 10 ** 5000
    errors = schema.errors({"session": huge})
    assert errors and all(isinstance(e.message, str) for e in errors)


# ----------------------------------------------------------------------------
# The real corpus: every JSON log against its team's own draft-07 schema

SCHEMA = ".agents/schemas/session-log.schema.json"


def test_the_corpus_logs_are_worded_as_jsonschema_words_them(corpus: Path):
    schema = json.loads((corpus / SCHEMA).read_text(encoding="utf-8"))
    assert explainable(schema)
    fast = jsonschema_rs.validator_for(schema, validate_formats=False)
    reference = jsonschema.Draft7Validator(schema)
    logs = sorted((corpus / ".agents" / "sessions").glob("*.json"))
    compared = errors = 0
    for log in logs:
        try:
            instance = json.loads(log.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if fast.is_valid(instance):
            assert reference.is_valid(instance), log.name
            continue
        worded = from_rs(fast.iter_errors(instance), instance, schema)
        assert worded is not None, log.name
        expected = rows(sorted(reference.iter_errors(instance), key=sort_key))
        assert rows(sorted(worded, key=sort_key)) == expected, log.name
        compared += 1
        errors += len(expected)
    assert compared > 500 and errors > 1500  # the corpus has ~640 invalid logs, ~1,540 errors


def test_an_older_jsonschema_rs_error_shape_falls_back_to_jsonschema():
    # Versions before evaluation_path and kind.context existed: worded by jsonschema instead.
    class Bare:
        instance_path, schema_path, message = ["x"], ["properties", "x", "type"], "bare"

    schema, instance = {"properties": {"x": {"type": "string"}}}, {"x": 1}
    assert from_rs([Bare()], instance, schema) is None
