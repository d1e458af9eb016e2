"""Configuration: where it is found, what it may say, what it means.

Looked up by walking up from the current directory: ``.agent-lint.toml``,
then ``[tool.agent-lint]`` in ``pyproject.toml``; ``--config PATH`` overrides.
One JSON Schema, assembled from the global keys and every rule's options
schema, validates it; any error names the file and the key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from .model import AgentLintError, Rule, Severity
from .views import SESSION_FIELDS

DEFAULT_SYSTEM_DOCUMENTS = ("AGENT-SYSTEM.md", ".agents/AGENT-SYSTEM.md")
DEFAULT_SESSION_LOGS = (".agents/sessions/*.md", ".agents/sessions/*.json")
# "/HANDOFF.md": the top-level file only. Unanchored, "HANDOFF.md" would match
# at any depth (gitignore rules) and take docs/ or fixture copies for handoffs.
DEFAULT_HANDOFF = ("/HANDOFF.md", ".agents/HANDOFF.md", ".agents/handoffs/**/*.md")
# What its name says is no document of a session: a folder's README, a template (TEMPLATE.md,
# handoff-template.md; not a dated log such as 2026-01-02-fix-template.md), the description of a
# format, a to-do list. These match any case, like the default HANDOFF globs.
# A template by its name (TEMPLATE.md, handoff-template.md), never a dated log that mentions one;
# one "*" per name, so that every default stays one regex (globs.compile_globs).
DEFAULT_EXCLUDE = ("**/README.md", "**/TEMPLATE.*", "**/[!0-9]*TEMPLATE.md", "**/[!0-9]*TEMPLATE.json",
                   "**/[!0-9]*TEMPLATE.markdown", "**/SCHEMA.md", "**/TODO.md")
HANDOFF_MODES = ("single-update", "read-only")

_STRINGS = {"type": "array", "items": {"type": "string"}}
CONFIG_LIMIT = 1 << 20  # bytes of a config file at most (pyproject.toml files run to a few KiB)

GLOBAL_SCHEMA: dict[str, Any] = {
    "select": {**_STRINGS, "description": "Codes, code prefixes (AL2) or rule names to enable; ALL for every rule."},
    "ignore": {**_STRINGS, "description": "Codes, code prefixes or rule names to disable."},
    "per-file-ignores": {
        "type": "object",
        "additionalProperties": _STRINGS,
        "description": "Glob -> codes, prefixes or names ignored in matching files.",
    },
    "system-document": {"type": "string", "description": "Path of the system document."},
    "session-logs": {**_STRINGS, "description": "Globs of session logs (Markdown or JSON)."},
    "handoff": {**_STRINGS, "description": "Globs of HANDOFF documents."},
    "session-id-from-folder": {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "description": "Globs of session logs whose session ID is the name of their folder, not of their file.",
    },
    "session-log-schema": {"type": "string", "description": "Path of a team's own session-log JSON Schema."},
    "handoff-mode": {"enum": list(HANDOFF_MODES), "description": "single-update or read-only."},
    "session-fields": {
        "type": "object",
        "properties": {field: {"type": "string", "pattern": "^/", "description": f"JSON pointer of {field}."}
                       for field in SESSION_FIELDS},
        "additionalProperties": False,
        "description": "Where a team's session logs keep the protocol's fields: field -> JSON pointer.",
    },
    "exclude": {**_STRINGS, "description": "Globs never checked (replaces the default: READMEs, templates, SCHEMA.md, TODO.md)."},
    "extend-exclude": {**_STRINGS, "description": "Globs never checked, added to exclude."},
    "respect-gitignore": {"type": "boolean", "description": "Skip files that .gitignore ignores (default true)."},
    "max-file-size": {"type": "integer", "minimum": 1, "description": "Files larger than this many bytes are reported (AL004), not parsed."},
    "baseline": {"type": "string", "description": "Baseline file (written by --write-baseline): its violations are not reported."},
    "rules": {"type": "object", "description": "Per-rule options and severity, keyed by code or name."},
}


class Config(NamedTuple):
    """The effective configuration of one run."""

    root: Path
    source: Path | None = None
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = {}  # read, never changed
    system_document: str | None = None
    session_logs: tuple[str, ...] = DEFAULT_SESSION_LOGS
    handoff: tuple[str, ...] = DEFAULT_HANDOFF
    session_id_from_folder: tuple[str, ...] = ()  # logs whose ID is their folder's name (one folder per session)
    session_log_schema: str | None = None
    handoff_mode: str = "single-update"
    session_fields: Mapping[str, str] = {}  # protocol field -> JSON pointer; read, never changed
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    respect_gitignore: bool = True
    max_file_size: int = 4 * 1024 * 1024
    baseline: str | None = None  # root-relative; check, the hook and the action report only what it lacks
    rules: Mapping[str, Mapping[str, Any]] = {}  # code or name, as written -> options and severity; never changed

    @property
    def handoff_any_case(self) -> bool:
        """The default HANDOFF globs match any case (handoff.md, Handoff.md); a team's own globs match as written."""
        return self.handoff == DEFAULT_HANDOFF

    def session_id(self, path: str) -> str:
        """A session log's ID: the stem of its file name, or the name of its folder for the logs
        ``session-id-from-folder`` names (``.agents/sessions/2026-01-03-x/log.md`` is ``2026-01-03-x``)."""
        folder, _, name = path.rpartition("/")
        if folder and self.session_id_from_folder:
            from .globs import compile_globs

            if compile_globs(self.session_id_from_folder).fullmatch(path):
                return folder.rpartition("/")[2]
        return name.rsplit(".", 1)[0] if "." in name else name

    @property
    def exclude_any_case(self) -> tuple[str, ...]:
        """The default exclude globs in force: they match any case (``template.md``, ``Todo.md``)."""
        return tuple(glob for glob in self.exclude if glob in DEFAULT_EXCLUDE)

    @property
    def system_document_candidates(self) -> tuple[str, ...]:
        return (self.system_document,) if self.system_document else DEFAULT_SYSTEM_DOCUMENTS

    def fingerprint(self) -> str:
        """Stable text of everything that changes results (the cache keys on it)."""
        import json

        data = {k: v for k, v in self._asdict().items() if k not in ("root", "source")}
        return json.dumps(data, sort_keys=True, default=list)


# ----------------------------------------------------------------------------
# Finding and reading


def _read_toml(path: Path, *, memo: bool = True) -> dict[str, Any]:
    """The TOML document in ``path``, as tomllib reads it.

    Its table is remembered as JSON in the user's cache folder, by the
    digest of the file's bytes (so never stale), so that a run the cache
    answers need not import tomllib (benchmarks/README.md says what that
    saves). A table JSON cannot hold exactly (a TOML date) is parsed each time.
    """
    import json

    from .cache import digest, recall, remember

    data = _config_bytes(path)
    key = digest(data)
    known = recall("toml-tables", key) if memo else None
    if known is not None:
        try:
            return json.loads(known)
        except ValueError:
            pass
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as err:
        # tomllib ends its message with "(at line L, column C)": put that where a reader looks.
        import re

        found = re.fullmatch(r"(?s)(.*) \(at line (\d+), column (\d+)\)", str(err))
        where = f"{path}:{found[2]}:{found[3]}" if found else str(path)
        raise AgentLintError(f"{where}: invalid TOML: {found[1] if found else err}") from None
    except UnicodeDecodeError:
        raise AgentLintError(f"{path}: invalid TOML: not valid UTF-8") from None
    if memo:
        try:
            text = json.dumps(table)
        except (TypeError, ValueError):
            text = None
        if text is not None and json.loads(text) == table:
            remember("toml-tables", key, text)
    return table


def _config_bytes(path: Path) -> bytes:
    """A config file's bytes: a regular file (a FIFO would block, /dev/zero never end) of sane size."""
    from .cache import Refused, read_regular

    try:
        data = read_regular(path, CONFIG_LIMIT, follow=True, own=False)
    except Refused as refused:
        raise AgentLintError(f"{path}: cannot read config: it {refused}") from None
    if data is None:
        raise AgentLintError(f"{path}: cannot read config: No such file or directory")
    return data


def find_config(start: Path, *, memo: bool = True) -> tuple[Path, dict[str, Any]] | None:
    """The nearest config above ``start``, with its agent-lint table."""
    for directory in (start, *start.parents):
        dotfile = directory / ".agent-lint.toml"
        if dotfile.is_file():
            return dotfile, _read_toml(dotfile, memo=memo)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            # Only a quick text check before paying for a TOML parse.
            try:
                has_table = b"agent-lint" in _config_bytes(pyproject)
            except AgentLintError:
                has_table = False
            if has_table:
                table = _read_toml(pyproject, memo=memo).get("tool", {}).get("agent-lint")
                if table is not None:
                    return pyproject, table
    return None


def enclosing_work_tree(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a ``.git``, if any."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def find_root(start: Path) -> Path:
    """Without a config, the project is the enclosing git work tree, else ``start``."""
    return enclosing_work_tree(start) or start


def load_config(rules: Sequence[Rule] | None, cwd: Path, explicit: Path | None = None, *, memo: bool = True) -> Config:
    """The config that applies in ``cwd`` (or ``explicit``), checked against the rules' option schemas.

    ``rules`` is every known rule; None: the registry, imported only when the
    config has to be checked (a table found valid before is remembered).
    """
    if explicit is not None:
        if not explicit.is_file():
            raise AgentLintError(f"{explicit}: config file not found")
        table = _read_toml(explicit, memo=memo)
        if explicit.name == "pyproject.toml":
            table = table.get("tool", {}).get("agent-lint", {})
        source = explicit.resolve()
        # Run inside the config's folder, that folder is the project; a config
        # kept elsewhere (a read-only tree checked with an outside config)
        # applies to the project being run in.
        here = cwd.resolve()
        root = source.parent if source.parent in (here, *here.parents) else find_root(here)
    else:
        found = find_config(cwd, memo=memo)
        if found is None:
            return Config(root=find_root(cwd))
        source, table = found
        root = source.parent
    validate(table, rules, source, memo=memo)
    check_inside(table, source)
    return _from_table(table, root, source)


# ----------------------------------------------------------------------------
# Validation


def config_schema(rules: Iterable[Rule]) -> dict[str, Any]:
    """The JSON Schema of the agent-lint table, rule options included."""
    rule_props: dict[str, Any] = {}
    for rule in rules:
        options = dict(rule.options_schema.get("properties", {}))
        options["severity"] = {"enum": [s.value for s in Severity]}
        spec = {"type": "object", "properties": options, "additionalProperties": False}
        rule_props[rule.code] = spec
        rule_props[rule.name] = spec
    props = dict(GLOBAL_SCHEMA)
    props["rules"] = {**GLOBAL_SCHEMA["rules"], "properties": rule_props, "additionalProperties": False}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }


def _plainly_valid(schema: dict, table: Any) -> bool:
    """jsonschema-rs's quick yes; a no (or a TOML date it cannot hold) goes to jsonschema for the words."""
    from .schema_check import fast_validator

    fast = fast_validator(schema)
    try:
        return fast is not None and bool(fast.is_valid(table))
    except Exception:  # noqa: BLE001 - a value it cannot take
        return False


def validate(table: Mapping[str, Any], rules: Sequence[Rule] | None, source: Path, *, memo: bool = True) -> None:
    """Raise AgentLintError naming the file and key of the first error.

    A table found valid once is remembered (by its content and the schema's)
    in the user's cache folder, so the common run does not import jsonschema.
    """
    import json

    from .cache import digest, remember, remembered

    # Keyed by the table and agent-lint's own code (which holds every rule's
    # option schema), so a remembered table costs no rule import.
    from .cache import source_stamp

    key = digest(json.dumps([table, source_stamp()], sort_keys=True, default=str).encode())
    if memo and remembered("valid-configs", key):
        return
    if rules is None:
        from .rules import RULES as rules
    schema = config_schema(rules)
    if _plainly_valid(schema, table):
        if memo:
            remember("valid-configs", key)
        return
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(table), key=lambda e: list(e.absolute_path))
    if not errors:
        if memo:
            remember("valid-configs", key)
        return
    err = errors[0]
    path = [str(p) for p in err.absolute_path]
    hint = ""
    if err.validator == "additionalProperties":
        known = list(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(known))
        if extra:
            path.append(extra[0])
            hint = did_you_mean(extra[0], known)
        message = "unknown key"
    elif err.validator == "enum" and isinstance(err.instance, str):
        message = err.message
        hint = did_you_mean(err.instance, [str(value) for value in err.validator_value])
    else:
        message = err.message
    raise AgentLintError(f"{config_origin(source, path)}: {message}{hint}")


def did_you_mean(given: str, choices: Iterable[str]) -> str:
    """'' or "; did you mean 'x'?" naming the choice nearest ``given`` (as ruff and git suggest)."""
    import difflib

    choices = list(choices)
    folded = {choice.casefold(): choice for choice in choices}
    near = folded.get(given.casefold()) or next(iter(difflib.get_close_matches(given, choices, n=1, cutoff=0.8)), None)
    return f"; did you mean '{near}'?" if near else ""


PATH_KEYS = ("system-document", "session-log-schema")
GLOB_KEYS = ("session-logs", "handoff", "exclude", "extend-exclude")


def check_inside(table: Mapping[str, Any], source: Path) -> None:
    """Raise AgentLintError naming the key of a path or glob that is empty or leaves the project root.

    agent-lint reads nothing outside the root, so ``..`` or an absolute path
    could only read where it must not (a repository's config is as
    untrusted as its documents); an empty glob would match nothing and
    silently drop every document of its kind. A glob's leading ``/``
    anchors it at the root, so only the path keys are refused for one.
    """
    def refuse(key: str, value: str, why: str) -> None:
        raise AgentLintError(f"{source}: invalid config at '{config_key(source, key)}': {value!r} {why}")

    def check(key: str, value: str, *, glob: bool) -> None:
        if not value.strip():
            refuse(key, value, "is empty: it would match nothing" if glob else "is empty")
        if not glob and (value.startswith(("/", "\\")) or (len(value) > 1 and value[1] == ":")):
            refuse(key, value, "is an absolute path; paths are relative to the project root")
        if ".." in value.replace("\\", "/").split("/"):
            refuse(key, value, "leads outside the project root ('..'); agent-lint reads only inside it")

    for key in PATH_KEYS:
        if isinstance(table.get(key), str):
            check(key, table[key], glob=False)
    for key in GLOB_KEYS:
        for value in table.get(key) or ():
            if isinstance(value, str):
                check(key, value, glob=True)
    for value in table.get("per-file-ignores") or {}:
        check(f"per-file-ignores.{value}", value, glob=True)


def config_key(source: Path, key: str) -> str:
    """A key as the user wrote it: under ``tool.agent-lint`` in pyproject.toml."""
    table = "tool.agent-lint" if source.name == "pyproject.toml" else ""
    return ".".join(p for p in (table, key) if p) or "(top level)"


def config_origin(source: Path, path: Sequence[str]) -> str:
    """``file:line:column: invalid config at 'key'`` for a key of the agent-lint table, given as parts."""
    full = (["tool", "agent-lint"] if source.name == "pyproject.toml" else []) + list(path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    found = toml_position(text, full)
    where = f"{source}:{found[0]}:{found[1]}" if found else str(source)
    return f"{where}: invalid config at '{config_key(source, '.'.join(path))}'"


_TOML_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_TOML_KEYS = rf"{_TOML_KEY}(?:[ \t]*\.[ \t]*{_TOML_KEY})*"


def _key_parts(text: str) -> list[str]:
    import re

    return [part[1:-1] if part[:1] in "\"'" else part for part in re.findall(_TOML_KEY, text)]


def toml_position(text: str, path: Sequence[str]) -> tuple[int, int] | None:
    """Line and column (1-based) where a TOML document sets the key ``path``; failing that, where
    it writes the nearest table or key holding it; None when it writes none of them.

    A line-based reading of headers (``[a.b]``) and ``key = value`` lines, which is all
    pointing at a key of a config needs; a key inside an inline table is found through the
    key holding the table.
    """
    import re

    header = re.compile(rf"[ \t]*\[\[?[ \t]*({_TOML_KEYS})[ \t]*\]")
    assignment = re.compile(rf"([ \t]*)({_TOML_KEYS})[ \t]*=")
    wanted = [str(part) for part in path]
    best: tuple[int, tuple[int, int]] | None = None  # (parts matched, position)
    table: list[str] = []
    in_string = False
    for number, line in enumerate(text.splitlines(), 1):
        if in_string or line.count('"""') % 2 or line.count("'''") % 2:
            # A multi-line string: its lines set no key.
            in_string = in_string != bool(line.count('"""') % 2 or line.count("'''") % 2)
            continue
        found = header.match(line)
        if found:
            table = _key_parts(found.group(1))
            keys, column = table, line.index("[") + 1
        else:
            found = assignment.match(line)
            if not found:
                continue
            keys, column = table + _key_parts(found.group(2)), len(found.group(1)) + 1
        matched = 0
        while matched < min(len(keys), len(wanted)) and keys[matched] == wanted[matched]:
            matched += 1
        if matched == len(keys) and (best is None or matched > best[0]):
            best = (matched, (number, column))
            if matched == len(wanted):
                break
    return best[1] if best else None


def _from_table(table: Mapping[str, Any], root: Path, source: Path) -> Config:
    def strings(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(table[key]) if key in table else default

    exclude = strings("exclude", DEFAULT_EXCLUDE) + strings("extend-exclude", ())
    return Config(
        root=root,
        source=source,
        select=strings("select", ("ALL",)),
        ignore=strings("ignore", ()),
        per_file_ignores={glob: tuple(codes) for glob, codes in table.get("per-file-ignores", {}).items()},
        system_document=table.get("system-document"),
        session_logs=strings("session-logs", DEFAULT_SESSION_LOGS),
        handoff=strings("handoff", DEFAULT_HANDOFF),
        session_id_from_folder=strings("session-id-from-folder", ()),
        session_log_schema=table.get("session-log-schema"),
        handoff_mode=table.get("handoff-mode", "single-update"),
        session_fields=dict(table.get("session-fields", {})),
        exclude=exclude,
        respect_gitignore=table.get("respect-gitignore", True),
        max_file_size=table.get("max-file-size", 4 * 1024 * 1024),
        baseline=table.get("baseline"),
        rules=dict(table.get("rules", {})),
    )


# ----------------------------------------------------------------------------
# Rule selection


def selector_matches(selector: str, rule: Rule) -> bool:
    upper = selector.upper()
    return upper == "ALL" or rule.code.startswith(upper) or selector == rule.name


def check_selectors(selectors: Iterable[str], rules: Sequence[Rule], origin: str) -> None:
    for selector in selectors:
        if not any(selector_matches(selector, rule) for rule in rules):
            hint = did_you_mean(selector, [name for rule in rules for name in (rule.code, rule.name)])
            hint = hint or " (see 'agent-lint rules')"
            raise AgentLintError(f"{origin}: '{selector}' matches no rule{hint}")


def names_rule(selector: str, rule: Rule) -> bool:
    return selector.upper() == rule.code or selector == rule.name


def enabled_rules(rules: Sequence[Rule], select: Sequence[str], ignore: Sequence[str]) -> list[Rule]:
    return [
        rule for rule in rules
        if any(names_rule(s, rule) if rule.opt_in else selector_matches(s, rule) for s in select)
        and not any(selector_matches(s, rule) for s in ignore)
    ]


def rule_table(config: Config, rule: Rule) -> dict[str, Any]:
    """The config's table for a rule: those keyed by its code and by its name, merged in the order written."""
    merged: dict[str, Any] = {}
    for key, value in config.rules.items():
        if key == rule.code or key == rule.name:
            merged.update(value)
    return merged


def rule_options(config: Config, rule: Rule) -> dict[str, Any]:
    options = rule.default_options()
    options.update({k: v for k, v in rule_table(config, rule).items() if k != "severity"})
    return options


def rule_severity(config: Config, rule: Rule) -> Severity:
    value = rule_table(config, rule).get("severity")
    return Severity(value) if value else rule.severity


def relative_to_root(path: Path, root: Path) -> str:
    """Root-relative POSIX path ('../x' for a path outside the root)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
