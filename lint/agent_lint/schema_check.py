"""JSON Schemas that records are checked against: loading, compiling, explaining errors.

A team's own schema (``session-log-schema`` in the config) is read here, in
the read phase, never by a rule, and like a document: inside the project
root, a regular file of bounded size. Its draft is the one its ``$schema``
names, which must be a draft jsonschema knows: agent-lint never fetches a
meta-schema.

No network, ever: every reference (``$ref``, ``$dynamicRef``,
``$recursiveRef``, a ``$schema``, a base ``$id``) resolves through one
:class:`LocalSchemas`, which reads files inside the schema's own folder and
refuses anything else; both validators use it (jsonschema through a
``referencing`` registry, jsonschema-rs as its retriever). Every reference
is resolved before any log is checked, so one that leaves the folder is a
config error naming the file.

Linear time, whatever the schema: patterns are matched by the Rust
``regex`` crate (jsonschema-rs's RegexOptions), which does not backtrack,
on both sides: jsonschema's ``pattern``, ``patternProperties`` and
``additionalProperties`` are given that engine too. A pattern it cannot
run (a look-around, a back-reference) is a config error, as is a schema
that would leave jsonschema's own regex search to run on one
(``unevaluatedProperties`` beside ``patternProperties``).

The validator is compiled once per run; AL201 turns the errors into
findings whose messages start with the JSON path of the offending value.
"""

from __future__ import annotations

import json
import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import unquote, urljoin, urlsplit

from .model import AgentLintError
from .schema_errors import describe, error_message, explainable, from_rs, sort_key
from .views import SchemaCheck, SchemaError

_REQUIRED = re.compile(r"^'(.*)' is a required property$", re.S)

REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")
# The drafts jsonschema knows, as $schema names them (a trailing "#" is the same draft).
DRAFTS = frozenset({
    "http://json-schema.org/draft-03/schema",
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
})
SCHEMA_LIMIT = 16 * 1024 * 1024  # bytes of one schema file at most
_SURROGATE = re.compile("[\ud800-\udfff]")


class CompiledSchema:
    """A validator ready for use, and where its schema came from."""

    def __init__(self, schema: dict[str, Any], source: str, builtin: bool, registry: Any = None, fast: Any = None,
                 explains: bool = False):
        self.schema = schema
        self.source = source  # "built-in" or the schema's path relative to the config root
        self.builtin = builtin
        self.registry = registry  # jsonschema's registry for a team schema's $refs
        self.fast = fast  # a jsonschema-rs validator of the same schema, when it compiles
        self.explains = explains  # fast's errors can be worded as jsonschema's (schema_errors.explainable)

    def __repr__(self) -> str:
        return f"CompiledSchema(source={self.source!r}, fast={self.fast is not None})"

    @cached_property
    def validator(self) -> Any:
        """jsonschema's validator, built on first need: a run whose logs are all valid never imports it."""
        from jsonschema.validators import Draft202012Validator, validator_for

        cls = linear(validator_for(self.schema, default=Draft202012Validator))
        return cls(self.schema, registry=self.registry if self.registry is not None else offline_registry())

    def errors(self, instance: Any) -> list[Any]:
        """Every error of ``instance``, in a stable order (by JSON path, then keyword).

        jsonschema-rs finds them some 80 times faster than jsonschema and is
        worded like it (schema_errors.from_rs); jsonschema, the reference,
        answers only what that cannot word exactly.
        """
        if self.fast is not None:
            try:
                if self.fast.is_valid(instance):
                    return []
                found = from_rs(self.fast.iter_errors(instance), instance, self.schema) if self.explains else None
            except (ValueError, OverflowError):  # a value jsonschema-rs cannot hold (a 5,000-digit number)
                found = None
            if found is not None:
                return sorted(found, key=sort_key)
        return sorted(self.validator.iter_errors(instance), key=sort_key)


def compile_schema(schema: dict[str, Any], *, registry: Any = None, source: str = "built-in",
                   builtin: bool = True, retrieve: Callable[[str], Any] | None = None,
                   base_uri: str | None = None) -> CompiledSchema:
    fast = fast_validator(schema, retrieve, base_uri)
    compiled = CompiledSchema(schema, source, builtin, registry, fast, fast is not None and explainable(schema))
    if compiled.fast is None:
        compiled.validator  # noqa: B018 - no fast path: build jsonschema's now, before any fork
    return compiled


def no_network(uri: str) -> Any:
    """A retriever for a schema that refers to nothing outside itself: every URI is refused."""
    raise _OutsideFolder(uri)


def fast_validator(schema: dict[str, Any], retrieve: Callable[[str], Any] | None = None,
                   base_uri: str | None = None) -> Any:
    """jsonschema-rs for the same schema (offline, linear-time patterns), or None where it cannot be."""
    try:
        import jsonschema_rs

        options: dict[str, Any] = {"retriever": retrieve or no_network,
                                   "pattern_options": jsonschema_rs.RegexOptions()}
        if base_uri is not None:
            options["base_uri"] = base_uri
        # jsonschema treats "format" as an annotation unless told otherwise; so must this.
        return jsonschema_rs.validator_for(schema, validate_formats=False, **options)
    except Exception:  # noqa: BLE001 - not installed, or a schema it rejects: jsonschema alone
        return None


# ----------------------------------------------------------------------------
# Patterns, in linear time


@lru_cache(maxsize=4096)
def _matcher(pattern: str) -> Any:
    import jsonschema_rs

    try:
        return jsonschema_rs.validator_for({"type": "string", "pattern": pattern},
                                           pattern_options=jsonschema_rs.RegexOptions(), retriever=no_network)
    except Exception:  # noqa: BLE001 - refused by the regex crate: a look-around, a back-reference
        return None


def runs_in_linear_time(pattern: str) -> bool:
    return _matcher(pattern) is not None


def pattern_search(pattern: str, text: str) -> bool:
    """``re.search(pattern, text)``, as JSON Schema means it, by an engine that never backtracks.

    A pattern that engine refuses never reaches here from a team schema
    (loading refuses the schema); anywhere else it matches nothing.
    """
    matcher = _matcher(pattern)
    if matcher is None:
        return False
    try:
        return bool(matcher.is_valid(text))
    except UnicodeEncodeError:  # a lone surrogate (JSON may spell one): no Rust string holds it
        return bool(matcher.is_valid(_SURROGATE.sub("\ufffd", text)))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not pattern_search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if pattern_search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema._utils import extras_msg
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = {key for key in instance
              if key not in properties and not any(pattern_search(p, key) for p in patterns)}
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            listed = ", ".join(repr(each) for each in sorted(patterns))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")
        else:
            yield ValidationError("Additional properties are not allowed (%s %s unexpected)"
                                  % extras_msg(sorted(extras, key=str)))


@lru_cache(maxsize=None)
def linear(cls: Any) -> Any:
    """A jsonschema validator class whose regex keywords match in linear time (same words)."""
    from jsonschema.validators import extend

    keywords = {"pattern": _pattern, "patternProperties": _pattern_properties,
                "additionalProperties": _additional_properties}
    extended = extend(cls, {k: v for k, v in keywords.items() if k in cls.VALIDATORS})
    extended.__name__ = extended.__qualname__ = cls.__name__
    return extended


@lru_cache(maxsize=None)
def offline_registry() -> Any:
    """jsonschema's registry for a schema that refers to nothing outside itself: no retrieval at all."""
    from referencing import Registry

    return Registry(retrieve=no_network)


def validation_errors(doc: Any, record: Any, schema: CompiledSchema) -> SchemaCheck:
    """Every schema error of a session log's record, with its position and JSON path.

    A team schema describes the team's JSON logs as they are written. A
    Markdown log is read into agent-lint's own record, a shape no team schema
    was written for, so it is held to the built-in schema of agent-lint's
    Markdown conventions whatever the config names. Runs in the per-document
    stage, where the text is at hand.
    """
    markdown = getattr(doc, "format", "") == "markdown"
    if markdown and not schema.builtin:
        schema = builtin_schema("session-log.schema.json")
    found = []
    for error in schema.errors(record.data):
        path = tuple(error.absolute_path)
        message = error_message(error)
        if markdown:
            from .extract.session_log import markdown_terms

            message = markdown_terms(doc, list(path), describe(error)) or message
        missing = _REQUIRED.match(error.message) if error.validator == "required" else None
        found.append(SchemaError(*record.locate(list(path), doc), message, path, str(error.validator),
                                 missing.group(1) if missing else None))
    required = schema.schema.get("required") if isinstance(schema.schema, dict) else None
    place = ""
    if markdown:
        from .extract.session_log import metadata_place

        place = metadata_place(doc)
    return SchemaCheck(doc.path, schema.source, tuple(r for r in required if isinstance(r, str))
                       if isinstance(required, list) else (), tuple(found), "markdown" if markdown else "json", place)


class _OutsideFolder(Exception):
    pass


def _known_draft(schema: Any) -> bool:
    draft = schema.get("$schema") if isinstance(schema, dict) else None
    return draft is None or isinstance(draft, str) and draft.rstrip("#") in DRAFTS


def _naive_references(node: Any) -> Iterator[str]:
    """Every reference anywhere in a schema, data included (so never one too few); iterative."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for keyword in REFERENCES:
                if isinstance(current.get(keyword), str):
                    yield current[keyword]
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


class LocalSchemas:
    """Where a team schema's references lead: files in its own folder, read as documents are.

    ``retrieve`` is the one function both validators resolve a URI through:
    a URI relative to the schema's file, or under the base ``$id`` of the
    schema, names a file of the folder; anything else (another host, a
    file elsewhere, a link leading out of the project) is refused, and no
    URI is ever fetched.
    """

    def __init__(self, root: Path, relative: str):
        from .files import Reader

        self.root = root
        self.relative = relative
        self.shown = str(root / relative)
        self.path = (root / relative).resolve()
        self.folder = self.path.parent
        self.reader = Reader(root, SCHEMA_LIMIT)
        self.fetched: list[tuple[Any, str]] = []  # (contents, uri) of each file read, to walk
        self.base_id = self.path.as_uri()

    def read(self, path: Path, shown: str) -> Any:
        import os

        data = self.reader.read(os.path.relpath(path, self.root.resolve()))
        if isinstance(data, OSError):
            raise AgentLintError(f"{shown}: cannot read schema: {data.strerror or data}")
        if not isinstance(data, bytes):
            raise AgentLintError(f"{shown}: cannot read schema: it is over {SCHEMA_LIMIT:,} bytes")
        try:
            return json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as err:
            raise AgentLintError(f"{shown}: schema is not valid JSON: {err}") from None

    def retrieve(self, uri: str) -> Any:
        candidates = []
        parts = urlsplit(uri)
        if not parts.scheme:  # relative to a schema without $id: the folder itself
            candidates.append(self.folder / unquote(parts.path))
        for base in {self.base_id, self.path.as_uri()}:
            stem = base.rsplit("/", 1)[0] + "/"
            if uri.startswith(stem):
                candidates.append(self.folder / unquote(urlsplit(uri[len(stem):]).path))
        for candidate in candidates:
            target = candidate.resolve()
            if target.is_relative_to(self.folder) and target.is_file():
                contents = self.read(target, str(target))
                if not _known_draft(contents):
                    raise AgentLintError(f"{target}: {_unknown_draft(contents)}")
                self.fetched.append((contents, uri))
                return contents
        raise _OutsideFolder(uri)


def _unknown_draft(schema: dict[str, Any]) -> str:
    return (f"$schema {schema.get('$schema')!r} is not a JSON Schema draft agent-lint knows; it never "
            f"fetches a meta-schema (use one of {', '.join(sorted(DRAFTS))})")


def load_team_schema(root: Path, relative: str) -> CompiledSchema:
    """Compile a team's schema file, resolving every reference inside its folder only."""
    local = LocalSchemas(root, relative)
    schema = local.read(local.path, local.shown)
    if isinstance(schema, dict) and not _known_draft(schema):
        raise AgentLintError(f"{local.shown}: {_unknown_draft(schema)}")
    return _self_contained(schema, relative) or _with_registry(local, schema)


def _self_contained(schema: Any, relative: str) -> CompiledSchema | None:
    """A schema whose references all stay inside it, checked and compiled by jsonschema-rs alone.

    This is the common case, and it spares a run jsonschema's import. Any
    doubt (a reference that is not a fragment, even in data; a schema or
    pattern jsonschema-rs rejects) returns None: jsonschema then checks it
    and words the problem.
    """
    if not isinstance(schema, dict) or any(not ref.startswith("#") for ref in _naive_references(schema)):
        return None
    if _pattern_keywords(schema, naive=True)[1]:
        return None  # unevaluatedProperties beside patternProperties: the keyword-aware check decides
    try:
        import jsonschema_rs

        if not jsonschema_rs.meta.is_valid(schema):
            return None
    except Exception:  # noqa: BLE001 - not installed, or a draft it does not know
        return None
    fast = fast_validator(schema)
    if fast is None:
        return None
    return CompiledSchema(schema, relative, False, None, fast, explainable(schema))


def _with_registry(local: LocalSchemas, schema: Any) -> CompiledSchema:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource

    shown = local.shown
    if not isinstance(schema, dict):
        raise AgentLintError(f"{shown}: a session-log schema must be a JSON object")
    if isinstance(schema.get("$id"), str):
        local.base_id = urljoin(local.path.as_uri(), schema["$id"])
    cls = validator_for(schema, default=None)
    if cls is None:
        from jsonschema.validators import Draft202012Validator as cls  # noqa: N813
    try:
        cls.check_schema(schema)
    except SchemaError as err:
        raise AgentLintError(f"{shown}: invalid JSON Schema: {err.message}") from None
    spec = _spec(cls)

    def retrieve(uri: str) -> Any:
        return Resource.from_contents(local.retrieve(uri), default_specification=spec)

    resource = Resource.from_contents(schema, default_specification=spec)
    registry = Registry(retrieve=retrieve).with_resource(local.base_id, resource)
    # Resolve every reference now (the siblings' too), so one that leaves the folder fails the run
    # before any log is read; and check every pattern of every file against the linear engine.
    pending, walked = [(resource, local.base_id)], set()
    uneval = pattern_keys = False
    while pending:
        current, base = pending.pop()
        if base in walked:
            continue
        walked.add(base)
        resolver = registry.resolver(base_uri=base)
        for subresource, sub_base in _subresources(current, base):
            contents = subresource.contents
            if not isinstance(contents, dict):
                continue
            for keyword in REFERENCES:
                if isinstance(contents.get(keyword), str):
                    _check_ref(resolver, sub_base, keyword, contents[keyword], shown)
            found, _ = _pattern_keywords(contents, naive=False)
            uneval = uneval or "unevaluatedProperties" in contents
            pattern_keys = pattern_keys or isinstance(contents.get("patternProperties"), dict)
            for pattern in found:
                if not runs_in_linear_time(pattern):
                    raise AgentLintError(
                        f"{shown}: pattern {pattern!r} cannot be matched in linear time (a look-around or a "
                        f"back-reference); agent-lint runs only patterns that cannot take unbounded time")
        pending.extend((Resource.from_contents(contents, default_specification=spec), uri)
                       for contents, uri in local.fetched)
        local.fetched.clear()
    if uneval and pattern_keys:
        raise AgentLintError(
            f"{shown}: unevaluatedProperties beside patternProperties is not supported: jsonschema would "
            f"match those patterns with a backtracking engine, which agent-lint does not run")
    return compile_schema(schema, registry=registry, source=local.relative, builtin=False,
                          retrieve=local.retrieve, base_uri=local.base_id)


def _subresources(resource: Any, base: str) -> Iterator[tuple[Any, str]]:
    """A resource and every subschema in it, with its base URI, by the draft's own keywords.

    Only schema positions are walked: a ``$ref`` in an ``enum`` value is
    data, while a property named ``enum`` is a schema like any other.
    """
    stack = [(resource, base)]
    while stack:
        current, current_base = stack.pop()
        identifier = current.id()
        if identifier:
            current_base = urljoin(current_base, identifier)
        yield current, current_base
        stack.extend((sub, current_base) for sub in current.subresources())


def _pattern_keywords(node: Any, *, naive: bool) -> tuple[list[str], bool]:
    """The patterns of a subschema (or, ``naive``, of a whole schema, data included), and whether
    jsonschema would match some of them itself: patternProperties beside unevaluatedProperties
    anywhere in it (jsonschema's unevaluatedProperties reads them with ``re``)."""
    found: list[str] = []
    keys = uneval = False
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("pattern"), str):
                found.append(current["pattern"])
            if isinstance(current.get("patternProperties"), dict):
                found.extend(current["patternProperties"])
                keys = True
            uneval = uneval or "unevaluatedProperties" in current
            if naive:
                stack.extend(current.values())
        elif naive and isinstance(current, list):
            stack.extend(current)
    return found, keys and uneval


def _check_ref(resolver: Any, base: str, keyword: str, ref: str, shown: str) -> None:
    from referencing.exceptions import Unresolvable

    try:
        resolver.lookup(urljoin(base, ref))
    except Unresolvable as err:
        if _caused_by_outside(err):
            raise AgentLintError(
                f"{shown}: {keyword} '{ref}' points outside the schema's folder; agent-lint resolves "
                f"references only to files beside the schema and never over the network"
            ) from None
        raise AgentLintError(f"{shown}: {keyword} '{ref}' cannot be resolved: {err}") from None


def _caused_by_outside(err: BaseException) -> bool:
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, _OutsideFolder):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _spec(cls: Any) -> Any:
    from referencing.jsonschema import specification_with

    return specification_with(cls.META_SCHEMA.get("$schema", "https://json-schema.org/draft/2020-12/schema"))


@lru_cache(maxsize=None)
def builtin_schema(name: str) -> CompiledSchema:
    """A schema shipped with agent-lint (top-level ``schemas/``), compiled once."""
    from .resources import load_schema

    return compile_schema(load_schema(name))


def session_log_schema(config: Any) -> CompiledSchema:
    """The run's session-log schema: the team's own when configured, else the built-in one."""
    if config.session_log_schema:
        return load_team_schema(config.root, config.session_log_schema)
    return builtin_schema("session-log.schema.json")
