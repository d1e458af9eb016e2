"""JSON Schemas that records are checked against: loading, compiling, explaining errors.

A team's own schema (``session-log-schema`` in the config) is read here, in
the read phase, never by a rule. Its draft is the one its ``$schema`` names.
``$ref`` resolves only to files inside the schema's own folder: agent-lint
never fetches anything over the network, so a reference that leaves the
folder is a config error naming the file, found before any log is checked.

The validator is compiled once per run; AL201 turns the errors into
findings whose messages start with the JSON path of the offending value.
"""

from __future__ import annotations

import json
import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urljoin, urlsplit

from .model import AgentLintError
from .schema_errors import describe, error_message, explainable, from_rs, sort_key
from .views import SchemaCheck, SchemaError

_REQUIRED = re.compile(r"^'(.*)' is a required property$", re.S)


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

        cls = validator_for(self.schema, default=Draft202012Validator)
        kwargs = {"registry": self.registry} if self.registry is not None else {}
        return cls(self.schema, **kwargs)

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
                   builtin: bool = True) -> CompiledSchema:
    fast = fast_validator(schema, registry)
    compiled = CompiledSchema(schema, source, builtin, registry, fast, fast is not None and explainable(schema))
    if compiled.fast is None:
        compiled.validator  # noqa: B018 - no fast path: build jsonschema's now, before any fork
    return compiled


def fast_validator(schema: dict[str, Any], registry: Any = None) -> Any:
    """jsonschema-rs for the same schema, or None where it cannot stand in for jsonschema."""
    if registry is not None and any(not ref.startswith("#") for _, ref in _refs(schema, "")):
        return None  # references to other files resolve through jsonschema's registry only
    try:
        import jsonschema_rs

        # jsonschema treats "format" as an annotation unless told otherwise; so must this.
        return jsonschema_rs.validator_for(schema, validate_formats=False)
    except Exception:  # noqa: BLE001 - not installed, or a schema it rejects: jsonschema alone
        return None


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
    return SchemaCheck(schema.source, tuple(r for r in required if isinstance(r, str))
                       if isinstance(required, list) else (), tuple(found))


def _read_json(path: Path, shown: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as err:
        raise AgentLintError(f"{shown}: cannot read schema: {err.strerror or err}") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise AgentLintError(f"{shown}: schema is not valid JSON: {err}") from None


class _OutsideFolder(Exception):
    pass


def load_team_schema(root: Path, relative: str) -> CompiledSchema:
    """Compile a team's schema file, resolving ``$ref`` inside its folder only."""
    path = (root / relative).resolve()
    schema = _read_json(path, str(root / relative))
    return _self_contained(schema, relative) or _with_registry(root, relative, schema)


def _self_contained(schema: Any, relative: str) -> CompiledSchema | None:
    """A schema whose $refs all stay inside it, checked and compiled by jsonschema-rs alone.

    This is the common case, and it spares a run jsonschema's import. Any
    doubt (a sibling file, a schema or $ref jsonschema-rs rejects) returns
    None: jsonschema then checks it and words the problem.
    """
    if not isinstance(schema, dict) or any(not ref.startswith("#") for _, ref in _refs(schema, "")):
        return None
    try:
        import jsonschema_rs

        if not jsonschema_rs.meta.is_valid(schema):
            return None
    except Exception:  # noqa: BLE001 - not installed, or a draft it does not know
        return None
    fast = fast_validator(schema, None)
    if fast is None:
        return None
    return CompiledSchema(schema, relative, False, None, fast, explainable(schema))


def _with_registry(root: Path, relative: str, schema: Any) -> CompiledSchema:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource

    path = (root / relative).resolve()
    shown = str(root / relative)
    if not isinstance(schema, dict):
        raise AgentLintError(f"{shown}: a session-log schema must be a JSON object")
    folder = path.parent
    base_id = schema.get("$id") if isinstance(schema.get("$id"), str) else path.as_uri()
    cls = validator_for(schema, default=None)
    if cls is None:
        from jsonschema.validators import Draft202012Validator as cls  # noqa: N813
    try:
        cls.check_schema(schema)
    except SchemaError as err:
        raise AgentLintError(f"{shown}: invalid JSON Schema: {err.message}") from None

    def retrieve(uri: str) -> Any:
        # A sibling may be named by a URL under the root schema's $id or by a file URI.
        candidates = []
        if not urlsplit(uri).scheme:  # relative to a schema without $id: the folder itself
            candidates.append(folder / unquote(urlsplit(uri).path))
        for base in {base_id, path.as_uri()}:
            stem = base.rsplit("/", 1)[0] + "/"
            if uri.startswith(stem):
                candidates.append(folder / unquote(urlsplit(uri[len(stem):]).path))
        for candidate in candidates:
            target = candidate.resolve()
            if target.is_relative_to(folder) and target.is_file():
                contents = _read_json(target, str(target))
                fetched.append((contents, uri))
                return Resource.from_contents(contents, default_specification=_spec(cls))
        raise _OutsideFolder(uri)

    fetched: list[tuple[Any, str]] = []
    resource = Resource.from_contents(schema, default_specification=_spec(cls))
    registry = Registry(retrieve=retrieve).with_resource(base_id, resource)
    # Resolve every $ref now (the siblings' too), so a remote one fails the run before any log is read.
    resolver = registry.resolver(base_uri=base_id)
    pending, walked = [(schema, base_id)], set()
    while pending:
        node, node_base = pending.pop()
        if node_base in walked:
            continue
        walked.add(node_base)
        for base, ref in _refs(node, node_base):
            _check_ref(resolver, base, ref, shown)
        pending.extend(fetched)
        fetched.clear()
    return compile_schema(schema, registry=registry, source=relative, builtin=False)


def _check_ref(resolver: Any, base: str, ref: str, shown: str) -> None:
    from referencing.exceptions import Unresolvable

    try:
        resolver.lookup(urljoin(base, ref))
    except Unresolvable as err:
        if _caused_by_outside(err):
            raise AgentLintError(
                f"{shown}: $ref '{ref}' points outside the schema's folder; agent-lint resolves "
                f"$ref only to files beside the schema and never over the network"
            ) from None
        raise AgentLintError(f"{shown}: $ref '{ref}' cannot be resolved: {err}") from None


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


def _refs(node: Any, base: str) -> Iterator[tuple[str, str]]:
    """Every ($id base, $ref) in a schema; the walk is iterative, so depth is no risk."""
    stack = [(node, base)]
    while stack:
        current, current_base = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("$id"), str):
                current_base = urljoin(current_base, current["$id"])
            if isinstance(current.get("$ref"), str):
                yield current_base, current["$ref"]
            stack.extend((value, current_base) for key, value in current.items() if key not in ("enum", "const"))
        elif isinstance(current, list):
            stack.extend((value, current_base) for value in current)


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
