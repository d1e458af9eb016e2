"""The vocabulary every other module speaks: rules, findings, violations.

Positions are 1-based lines and columns counted in Unicode code points, the
way editors show them. Objects here are immutable so that a finding, once
yielded by a rule, cannot be changed behind the engine's back.
"""

from __future__ import annotations

import enum
from typing import Any, Callable, Iterable, Mapping, NamedTuple


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


class Scope(str, enum.Enum):
    """What a rule's ``check`` receives.

    DOCUMENT rules get one document at a time, as the type their ``reads``
    names (its kind's view, or the parsed Document), and are cached per file;
    PROJECT rules get the whole :class:`~agent_lint.project.Project`;
    META rules get the suppression comments of a document that did no work,
    once every other rule has run.
    """

    DOCUMENT = "document"
    PROJECT = "project"
    META = "meta"


class Kind(str, enum.Enum):
    """The role a file plays in the agent system, decided by the config."""

    SYSTEM = "system-document"
    SESSION_LOG = "session-log"
    HANDOFF = "handoff"


# A kind's value by kind, "" for none (what the cache's keys and index records write): a dict lookup,
# where an enum's value is a slow attribute for 100,000 documents.
KIND_VALUES: dict[Kind | None, str] = {None: "", **{kind: kind.value for kind in Kind}}


class Edit(NamedTuple):
    """Replace the characters ``[start, end)`` of the decoded text with ``text``.

    Offsets index the document text after BOM removal, before any newline
    normalisation, so a fix never touches bytes it does not name.
    """

    start: int
    end: int
    text: str


class Fix(NamedTuple):
    description: str
    edits: tuple[Edit, ...]


class Finding(NamedTuple):
    """What a rule yields: a problem at a position.

    ``path`` is only needed by project-scope rules, which speak about many
    files; document-scope findings belong to the document being checked.
    """

    line: int
    column: int
    message: str
    path: str | None = None
    fix: Fix | None = None
    # What the finding is about in `agent-lint batches`' drawings: batches.commit_node / session_node keys.
    marks: tuple[str, ...] = ()


class Violation(NamedTuple):
    """A finding resolved against its rule and the configuration.

    Ordering (path, line, column, code) is the report order; the other fields
    never decide it, so violations tied on those keep the order they came in.
    (A NamedTuple: a run with thousands of violations builds, pickles and
    loads each; a frozen dataclass took three times as long to build.)
    """

    path: str
    line: int
    column: int
    code: str
    name: str
    message: str
    severity: Severity
    fix: Fix | None = None
    marks: tuple[str, ...] = ()  # Finding.marks

    def __lt__(self, other: tuple) -> bool:  # type: ignore[override]
        return self[:4] < other[:4]

    def __le__(self, other: tuple) -> bool:  # type: ignore[override]
        return self[:4] <= other[:4]

    def __gt__(self, other: tuple) -> bool:  # type: ignore[override]
        return self[:4] > other[:4]

    def __ge__(self, other: tuple) -> bool:  # type: ignore[override]
        return self[:4] >= other[:4]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "fixable": self.fix is not None,
        }


class Outcome(NamedTuple):
    """What a run found: the violations to report, how many documents it reported on, and its notes.

    A note says once what a run could not judge (no session log states a
    role, say); it is no violation and goes to stderr, never into a report.
    """

    violations: list[Violation]
    files: int
    notes: tuple[str, ...] = ()
    # The digest of the bytes each fixable violation's file had when checked: a fix applies to those alone.
    digests: Mapping[str, str] = {}


Check = Callable[..., Iterable[Finding]]

DOC_SECTIONS = ("What it checks", "Why it matters", "Fails", "Passes", "Options")


class Rule(NamedTuple):
    """A rule's identity and behaviour, declared at the bottom of its module.

    ``reads`` says what a rule reads. A DOCUMENT rule's ``check`` receives
    one document as that type: a view (``views.SessionLog``, ``Handoff``,
    ``SystemDocument``, ``SchemaCheck``), which limits it to the one kind of
    document the view is made of, or the parsed ``document.Document`` (text,
    Markdown model or JSON data), limited to ``kinds`` (empty: every kind).
    A PROJECT rule reads the project's views; one that declares
    ``reads=Document`` may also ask ``project.document(path)`` for a
    document, or ``project.text(path)`` for its text alone (to offer a fix). Rules with ``handles_load_errors``
    report files that could not be read or parsed; all others never see them.
    ``doc`` is the module docstring: its first line is the summary, the rest
    the documentation ``agent-lint rule`` prints.
    """

    code: str
    name: str
    scope: Scope
    check: Check
    doc: str
    options_schema: Mapping[str, Any] = {}  # read, never changed: one empty default serves all
    severity: Severity = Severity.ERROR
    kinds: tuple[Kind, ...] = ()
    fixable: bool = False
    handles_load_errors: bool = False  # runs on files that failed to load, and only on those
    # Opt-in rules (style, not protocol) are enabled only by their own code or
    # name in select / extend-select, never by ALL or a prefix: a team that
    # selects ALL asked for every protocol check, not for every preference.
    opt_in: bool = False
    reads: type | None = None  # see above; None for a PROJECT rule that reads views alone, and for META

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip()

    def default_options(self) -> dict[str, Any]:
        props = self.options_schema.get("properties", {})
        return {key: spec["default"] for key, spec in props.items() if "default" in spec}


class AgentLintError(Exception):
    """A usage, config or environment error: reported in one line, exit 2."""
