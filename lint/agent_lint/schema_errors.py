"""Schema errors as agent-lint reports them, whichever validator found them.

jsonschema-rs finds a log's errors about a hundred times faster than
jsonschema, and importing it costs a third as much; jsonschema is the
reference. :func:`from_rs` turns jsonschema-rs's errors into objects that
read like jsonschema's ``ValidationError`` (``absolute_path``, ``validator``,
``validator_value``, ``instance``, ``schema``, ``context``, ``message``, with
jsonschema's wording), so :func:`describe` explains both the same way, and
tests can hold the two side by side on the real corpus.

Where jsonschema-rs reports something this module cannot word exactly as
jsonschema would (a keyword it does not know here, a schema laid out in
several resources, an old draft), :func:`from_rs` returns None and the
caller asks jsonschema itself: exact, only slower.
"""

from __future__ import annotations

import heapq
import json
import re
from typing import Any, Iterable, Sequence

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
               type(None): "null"}
WEAK = frozenset(("anyOf", "oneOf"))  # as jsonschema's best_match: superseded by any same-level error


class SchemaError:
    """One error, shaped like the parts of jsonschema's ``ValidationError`` that agent-lint reads."""

    __slots__ = ("absolute_path", "path", "validator", "validator_value", "instance", "schema", "context",
                 "relative_schema_path", "message")

    def __init__(self, absolute_path: tuple, validator: str | None, validator_value: Any, instance: Any,
                 schema: Any, message: str, context: list[SchemaError] = (), branch: int | None = None):
        self.absolute_path = absolute_path
        self.path = absolute_path  # made relative to the enclosing anyOf/oneOf by its caller
        self.validator = validator
        self.validator_value = validator_value
        self.instance = instance
        self.schema = schema
        self.message = message
        self.context = list(context)
        self.relative_schema_path = (branch,) if branch is not None else ()

    def __repr__(self) -> str:
        return f"<SchemaError {self.validator} at {json_path(self.absolute_path)}: {self.message}>"


# ----------------------------------------------------------------------------
# jsonschema-rs -> SchemaError


def explainable(schema: Any) -> bool:
    """Can :func:`from_rs` word this schema's errors? One resource, a draft from 6 on."""
    if not isinstance(schema, dict):
        return False
    draft = schema.get("$schema", "")
    if not isinstance(draft, str) or "draft-03" in draft or "draft-04" in draft:
        return False  # booleans for exclusiveMinimum, required: true ... worded otherwise there
    stack: list[tuple[Any, bool]] = [(schema, True)]
    while stack:
        node, top = stack.pop()
        if isinstance(node, dict):
            if not top and isinstance(node.get("$id"), str):
                return False  # an embedded resource: locations inside it are not from the root
            for keyword in ("$ref", "$dynamicRef", "$recursiveRef"):
                ref = node.get(keyword)
                if isinstance(ref, str) and (keyword != "$ref" or not ref.startswith("#")):
                    return False
            stack.extend((value, False) for key, value in node.items() if key not in ("enum", "const"))
        elif isinstance(node, list):
            stack.extend((value, False) for value in node)
    return True


def from_rs(errors: Iterable[Any], instance: Any, schema: Any) -> list[SchemaError] | None:
    """jsonschema-rs's errors in jsonschema's order and words, or None where that cannot be exact."""
    try:
        return _convert(list(errors), instance, schema, ())
    except (_Unworded, AttributeError, TypeError):  # or a jsonschema-rs without evaluation_path, kind.context
        return None


class _Unworded(Exception):
    pass


def _at(root: Any, parts: Sequence[Any]) -> Any:
    node = root
    for part in parts:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            raise _Unworded
    return node


# The last schema _order worked for, and its answers by evaluation path: a run has one schema,
# and its logs fail the same few ways over and over (779 of the real corpus's errors are one path).
_ORDERS: tuple[Any, dict[tuple, tuple]] = (None, {})


def _order(schema: Any, evaluation_path: Sequence[Any]) -> tuple:
    """Where jsonschema meets this error: it walks each schema's keywords in their written order."""
    global _ORDERS
    if _ORDERS[0] is not schema:
        _ORDERS = (schema, {})
    path = tuple(evaluation_path)
    known = _ORDERS[1].get(path)
    if known is None:
        known = _ORDERS[1][path] = _walk_order(schema, path)
    return known


def _walk_order(schema: Any, evaluation_path: tuple) -> tuple:
    key, node = [], schema
    for part in evaluation_path:
        if isinstance(node, dict) and part in node:
            key.append(list(node).index(part))
            node = node[part]
            if part == "$ref" and isinstance(node, str):
                node = _pointer(schema, node)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            key.append(part)
            node = node[part]
        else:
            break
    return tuple(key)


def _pointer(root: Any, ref: str) -> Any:
    """The node a local ``$ref`` ("#/definitions/item") names, or None."""
    from urllib.parse import unquote

    node = root
    for part in unquote(ref[1:]).split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _convert(errors: list[Any], instance: Any, schema: Any, parent: tuple) -> list[SchemaError]:
    ordered = sorted(errors, key=lambda e: _order(schema, e.evaluation_path))
    out = []
    for error in ordered:
        out.append(_one(error, instance, schema, parent))
    return out


def _one(error: Any, root_instance: Any, schema: Any, parent: tuple) -> SchemaError:
    kind = type(error.kind).__name__
    path = tuple(error.instance_path)
    value = _at(root_instance, path)
    if "propertyNames" in error.evaluation_path or error.instance != value:
        raise _Unworded  # the error is about something other than the value at its path (a key)
    location = list(error.schema_path)
    if kind == "FalseSchema":
        if _at(schema, location) is not False:
            raise _Unworded
        made = SchemaError(path, None, None, value, False, f"False schema does not allow {value!r}")
    else:
        if not location or not isinstance(location[-1], str):
            raise _Unworded
        keyword = location[-1]
        owner = _at(schema, location[:-1])
        if not isinstance(owner, dict) or keyword not in owner:
            raise _Unworded
        expected = owner[keyword]
        context: list[SchemaError] = []
        if kind in ("AnyOf", "OneOfNotValid"):
            for branch, branch_errors in enumerate(error.kind.context):
                for sub in _convert(list(branch_errors), root_instance, schema, path):
                    sub.relative_schema_path = (branch, *sub.relative_schema_path[1:])
                    context.append(sub)
        elif kind == "OneOfMultipleValid":
            raise _Unworded  # which branches matched, in jsonschema's order: ask jsonschema
        made = SchemaError(path, keyword, expected, value, owner,
                           _message(keyword, expected, value, owner, error.kind, schema), context)
    made.path = path[len(parent):]
    return made


def _legacy(root: Any) -> bool:
    """Drafts 6 and 7, whose ``contains`` jsonschema words otherwise."""
    draft = root.get("$schema") if isinstance(root, dict) else None
    return isinstance(draft, str) and ("draft-06" in draft or "draft-07" in draft)


# jsonschema's wording (jsonschema/_keywords.py), keyword by keyword.
_WORDING = {
    "pattern": "{instance!r} does not match {expected!r}",
    "enum": "{instance!r} is not one of {expected!r}",
    "const": "{expected!r} was expected",
    "minimum": "{instance!r} is less than the minimum of {expected!r}",
    "maximum": "{instance!r} is greater than the maximum of {expected!r}",
    "exclusiveMinimum": "{instance!r} is less than or equal to the minimum of {expected!r}",
    "exclusiveMaximum": "{instance!r} is greater than or equal to the maximum of {expected!r}",
    "multipleOf": "{instance!r} is not a multiple of {expected}",
    "uniqueItems": "{instance!r} has non-unique elements",
    "not": "{instance!r} should not be valid under {expected!r}",
    "anyOf": "{instance!r} is not valid under any of the given schemas",
    "oneOf": "{instance!r} is not valid under any of the given schemas",
}
# Size keywords: (the limit worded on its own, its words, the words for any other limit).
_SIZES = {
    "minItems": (1, "should be non-empty", "is too short"),
    "minLength": (1, "should be non-empty", "is too short"),
    "maxItems": (0, "is expected to be empty", "is too long"),
    "maxLength": (0, "is expected to be empty", "is too long"),
    "minProperties": (1, "should be non-empty", "does not have enough properties"),
    "maxProperties": (0, "is expected to be empty", "has too many properties"),
}


def _message(keyword: str, expected: Any, instance: Any, schema: dict, kind: Any, root: Any) -> str:
    """jsonschema's wording for this keyword, or _Unworded where it cannot be matched exactly."""
    if keyword in _WORDING:
        return _WORDING[keyword].format(instance=instance, expected=expected)
    if keyword in _SIZES:
        limit, own, other = _SIZES[keyword]
        return f"{instance!r} {own if expected == limit else other}"
    if keyword == "required":
        missing = getattr(kind, "property", None)
        if not isinstance(missing, str):
            raise _Unworded
        return f"{missing!r} is a required property"
    if keyword == "type":
        types = [expected] if isinstance(expected, str) else expected
        return f"{instance!r} is not of type {', '.join(repr(t) for t in types)}"
    if keyword == "contains" and "minContains" not in schema and "maxContains" not in schema:
        if _legacy(root):
            return f"None of {instance!r} are valid under the given schema"
        return f"{instance!r} does not contain items matching the given schema"
    if keyword == "additionalProperties" and expected is False and isinstance(instance, dict):
        return _additional(instance, schema)
    raise _Unworded


def _additional(instance: dict, schema: dict) -> str:
    from .schema_check import pattern_search  # a team's patterns: never a backtracking engine

    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [name for name in instance
              if name not in properties and not any(pattern_search(p, name) for p in patterns)]
    if not extras:
        raise _Unworded
    if "patternProperties" in schema:
        verb = "does" if len(extras) == 1 else "do"
        joined = ", ".join(repr(each) for each in sorted(extras))
        return f"{joined} {verb} not match any of the regexes: {', '.join(repr(p) for p in sorted(patterns))}"
    verb = "was" if len(extras) == 1 else "were"
    return f"Additional properties are not allowed ({', '.join(repr(e) for e in sorted(extras, key=str))} {verb} unexpected)"


# ----------------------------------------------------------------------------
# Explaining an error


def json_path(parts: Iterable[Any]) -> str:
    """``$.session.date``, ``$.workLog[0]``, ``$['odd key']``."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(str(part)):
            out += f".{part}"
        else:
            out += "[" + json.dumps(str(part), ensure_ascii=False) + "]"
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    if len(text) <= limit:
        return text
    closer = {"[": "]", "{": "}", "'": "'", '"': '"'}.get(text[:1], "")
    return text[: limit - 4] + "..." + closer


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if name == "number":
        return isinstance(value, (int, float))
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return False


def _matches_type(error: Any) -> bool:
    """Does the error's instance have the type its schema asks for? (jsonschema's ``_matches_type``)"""
    expected = error.schema.get("type") if isinstance(error.schema, dict) else None
    if expected is None:
        return False
    if isinstance(expected, str):
        return _is_type(error.instance, expected)
    return any(_is_type(error.instance, each) for each in expected)


def relevance(error: Any) -> tuple:
    """jsonschema's ``relevance``: deeper, earlier, not anyOf/oneOf, of the right type."""
    return (-len(error.path), tuple(error.path), error.validator not in WEAK, False, not _matches_type(error))


def best_match(errors: Iterable[Any]) -> Any:
    """jsonschema's ``best_match``, for its errors and for :class:`SchemaError` alike."""
    best = max(errors, key=relevance, default=None)
    if best is None:
        return None
    while best.context:
        smallest = heapq.nsmallest(2, best.context, key=relevance)
        if len(smallest) == 2 and relevance(smallest[0]) == relevance(smallest[1]):
            return best
        best = smallest[0]
    return best


def describe(error: Any) -> str:
    """The part of a message after the path: what is wrong, short enough to read."""
    validator = error.validator
    if validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        found = _TYPE_NAMES.get(type(error.instance), type(error.instance).__name__)
        return f"expected {expected}, found {found}" + (f" {_short(error.instance, 40)}" if found not in ("object", "array") else "")
    if validator in ("anyOf", "oneOf") and error.context:
        # best_match alone weighs one error of each branch; first keep the branches
        # that fail least, so the message points at the shape the value nearly has.
        by_branch: dict[Any, list[Any]] = {}
        for sub in error.context:
            by_branch.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else None, []).append(sub)
        fewest = min(len(errs) for errs in by_branch.values())
        best = best_match([e for errs in by_branch.values() if len(errs) == fewest for e in errs])
        branches = len(error.validator_value) if isinstance(error.validator_value, list) else "several"
        where = ""
        extra = list(best.absolute_path)[len(list(error.absolute_path)):]
        if extra:
            where = f" at {json_path(list(error.absolute_path) + extra)}"
        return f"matches none of the {branches} allowed shapes; closest{where}: {describe(best)}"
    if validator == "pattern" and isinstance(error.schema, dict) and isinstance(error.schema.get("title"), str):
        return f"{_short(error.instance)} is not {error.schema['title']}"
    message = error.message
    if len(message) > 60:  # else it cannot start with a repr longer than 60 (a whole log's, say)
        full = repr(error.instance)
        if len(full) > 60 and message.startswith(full):
            message = _short(error.instance) + message[len(full):]
    return message


def error_message(error: Any) -> str:
    return f"{json_path(error.absolute_path)}: {describe(error)}"


def sort_key(error: Any) -> tuple:
    """Stable report order: by JSON path (indices before names), then keyword, then message."""
    return ([(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path],
            str(error.validator), error.message)
