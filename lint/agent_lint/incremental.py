"""A run after a small edit: the project rules' findings are reused while what they see is unchanged.

Project rules see each document's model and records (of a JSON log, its
protocol fields: a few hundred bytes), and the text of the few documents
they take a position from. So a full run keeps, beside its outcome, a
:class:`Memo`: every document's kind, the digest of its bytes, the
fingerprint of its analysis (pipeline.pack) and whether its text was read
after the per-document stage, with the project rules' findings. A later run
under the same settings, on the same documents, where a few files changed:

1. analyses the changed files (the cache may know their bytes already);
2. if each one's fingerprint is the memo's and its text was not read, every
   project rule would see exactly what it saw before, so their findings are
   the memo's (a log's work notes were edited, not its protocol fields);
3. a target's violations depend on its own analysis and the project findings
   on it alone (engine.resolve): the unchanged targets keep those of the
   memo's run, the others are resolved again.

The memo is left as the full run wrote it, and its run is kept in the cache
while it is used, so each later run is measured against that full run. Anything
else (a file added or removed, a changed record, too many changes, history,
batch diagrams) is a full run, whose result this always equals: tests
compare them; that run writes the next memo. Without it, an edit to one log of a
15,000-file tree reloaded every analysis and re-ran every project rule
(about 460 of a 680 ms run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Mapping, NamedTuple, Sequence

from .cache import Cache
from .config import Config
from .engine import resolve
from .model import Finding, Kind, Outcome, Rule

if TYPE_CHECKING:
    from .pipeline import Analysis

# Past this share of the tree changed, a full run is as cheap and more likely needed.
MOST_CHANGED = 1 / 8
# Targets the memo's run did not report on are analysed from the cache; past this many, a full run.
MOST_UNREPORTED = 256


class Memo(NamedTuple):
    """What the project rules saw in one full run, and what they found."""

    documents: dict[str, tuple[str, str, str | None, bool]]  # path -> (kind, digest, fingerprint, text read)
    findings: tuple[tuple[str, Finding], ...]  # (rule code, finding) of every project rule, in order
    run: str  # the run-cache key of the outcome these inputs gave
    targets: frozenset[str] | None  # the targets of that run; None: every document
    notes: tuple[str, ...] = ()  # the project rules' notes, which depend on what they saw alone


def memo(analyses: Mapping[str, Analysis], digests: Mapping[str, str], found: Sequence[tuple[Rule, Finding]],
         run: str, targets: Iterable[str], notes: Sequence[str] = ()) -> Memo:
    """The memo of a full run, taken after its project rules and resolution (they may read texts)."""
    return Memo(
        # A document without a kind was found as a session log and is data (extract_records).
        {path: ((doc.kind or Kind.SESSION_LOG).value, digests.get(path, ""), fingerprint, doc.text_loaded)
         for path, (doc, _, fingerprint) in analyses.items()},
        tuple((rule.code, finding) for rule, finding in found),
        run,
        None if analyses.keys() <= set(targets) else frozenset(targets),
        tuple(notes),
    )


def relint(
    kept: Memo,
    config: Config,
    rules: Sequence[Rule],
    all_rules: Sequence[Rule],
    documents: Mapping[str, Kind],
    targets: Mapping[str, Kind],
    digests: Mapping[str, str],
    cache: Cache,
    analyze: Callable[[dict[str, Kind], set[str]], Mapping[str, Analysis]],
) -> Outcome | None:
    """The outcome of this run from ``kept`` and a few analyses, or None where a full run is needed.

    ``digests`` holds every document's (the caller reads the changed ones);
    ``analyze`` is the per-document stage (cached) for some documents and
    the targets among them; it updates ``digests`` to the bytes it read.
    """
    if kept.documents.keys() != documents.keys():
        return None
    changed: dict[str, Kind] = {}
    for path, kind in documents.items():
        was = kept.documents[path]
        if was[0] != kind.value:
            return None
        if was[1] != digests.get(path):
            changed[path] = kind
    if len(changed) > len(documents) * MOST_CHANGED:
        return None
    # Unchanged targets the memo's run reported on keep their violations; the rest are resolved.
    reported = documents.keys() if kept.targets is None else kept.targets
    fresh = {path for path in targets if path in changed or path not in reported}
    if len(fresh) - len(changed.keys() & fresh) > MOST_UNREPORTED:
        return None
    # The save after the analysis keeps every entry of this tree, not only those read.
    cache.mark_used(f"{path}:{digests[path]}" for path in documents if digests.get(path))
    wanted = {path: documents[path] for path in sorted(changed.keys() | fresh)}
    analyses = analyze(wanted, fresh)
    for path in changed:
        fingerprint, text_read = kept.documents[path][2:]
        if text_read or fingerprint is None or analyses[path].fingerprint != fingerprint:
            return None
    prior: Outcome | None = None
    if len(fresh) < len(targets):
        prior = cache.get_run(kept.run, keep=True)
        if not isinstance(prior, Outcome):
            return None
    by_code = {rule.code: rule for rule in all_rules}
    triples = [(by_code[code], finding, path)
               for path in sorted(fresh) for code, finding in analyses[path].findings or ()]
    # Project findings on the fresh targets, and on files that are not documents (a missing one).
    triples += [(by_code[code], finding, finding.path or "") for code, finding in kept.findings
                if (finding.path or "") in fresh or (finding.path or "") not in documents]
    resolved = resolve(config, {path: analyses[path].doc for path in fresh}, rules, all_rules, targets, triples,
                       paths=documents)
    if prior is not None:
        resolved += [violation for violation in prior.violations
                     if violation.path in targets and violation.path not in fresh]
    return Outcome(sorted(resolved), len(targets), kept.notes)

