"""The content-hash cache and the worker processes: same results, less work, never trusted blindly."""

import io
import json
from pathlib import Path

import pytest

import agent_lint.parallel as parallel
from agent_lint.analysis import Stage
from agent_lint.runner import CheckOptions, check

LOG = """# Session {id}

**Date**: 2026-03-02
**Agent**: claude-code
**Role**: worker
**Objective**: Review PR #{n}
**Orchestrator**: 2026-03-02-pr-review

## Work Log

- Reviewed.

## Outcome

Done.
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with a few session logs (one broken) and an isolated user cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "repo"
    sessions = root / ".agents" / "sessions"
    sessions.mkdir(parents=True)
    (root / ".git").mkdir()
    for n in range(6):
        sid = f"2026-03-02-pr-review-{300 + n}"
        (sessions / f"{sid}.md").write_text(LOG.format(id=sid, n=300 + n), encoding="utf-8")
    (sessions / "2026-03-02-broken.json").write_text('{"id": 1,\n', encoding="utf-8")
    return root


@pytest.fixture
def analyzed(monkeypatch):
    """Paths the per-document stage really analysed (cache misses), per run."""
    seen: list[str] = []
    original = Stage.analyze

    def spy(self, job):
        seen.append(job.path)
        return original(self, job)

    monkeypatch.setattr(Stage, "analyze", spy)
    return seen


def run(root: Path, **options) -> list[tuple]:
    out = io.StringIO()
    check(CheckOptions(cwd=root, output_format="json", jobs=options.pop("jobs", 1), **options), out=out)
    return [tuple(v.values()) for v in json.loads(out.getvalue())["violations"]]


def cache_files(root: Path) -> list[Path]:
    return sorted((root / ".agent_lint_cache").glob("*.bin"))


def test_a_warm_run_reports_the_same_and_parses_nothing(project, analyzed):
    cold = run(project)
    assert cold and len(analyzed) == 7
    analyzed.clear()
    assert run(project) == cold
    assert analyzed == []
    assert (project / ".agent_lint_cache" / ".gitignore").read_text().strip().endswith("*")


def test_touching_one_file_analyses_that_file_alone(project, analyzed):
    run(project)
    analyzed.clear()
    log = project / ".agents" / "sessions" / "2026-03-02-pr-review-301.md"
    log.write_text(log.read_text(encoding="utf-8").replace("**Date**: 2026-03-02", "**Date**: 2 March"), encoding="utf-8")
    rows = run(project)
    assert analyzed == [".agents/sessions/2026-03-02-pr-review-301.md"]
    assert any(r[0].endswith("301.md") and r[3] == "AL201" for r in rows)
    assert rows == run(project, no_cache=True)


@pytest.mark.parametrize("damage", [
    lambda blob: b"garbage",
    lambda blob: blob[: len(blob) // 2],
    lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # one flipped bit: the signature no longer matches
])
def test_a_damaged_cache_is_ignored_and_rebuilt(project, analyzed, damage):
    cold = run(project)
    for file in cache_files(project):
        file.write_bytes(damage(file.read_bytes()))
    analyzed.clear()
    assert run(project) == cold
    assert len(analyzed) == 7  # nothing was taken from the damaged files
    analyzed.clear()
    assert run(project) == cold and analyzed == []  # and they were rebuilt


def test_a_cache_signed_by_another_user_is_never_trusted(project, analyzed, monkeypatch, tmp_path):
    cold = run(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    analyzed.clear()
    assert run(project) == cold
    assert len(analyzed) == 7


def test_no_cache_neither_reads_nor_writes(project, analyzed):
    run(project, no_cache=True)
    assert not (project / ".agent_lint_cache").exists()


def test_changed_settings_do_not_reuse_results(project):
    everything = run(project)
    only_input = run(project, select=("AL0",))
    assert {r[3] for r in only_input} == {"AL003"}
    assert {r[3] for r in everything} > {"AL003"}
    assert run(project) == everything


def test_two_processes_give_the_one_process_result_in_the_same_order(project, monkeypatch):
    monkeypatch.setattr(parallel, "POOL_THRESHOLD", 1)
    one = run(project, no_cache=True, jobs=1)
    two = run(project, no_cache=True, jobs=2)
    assert two == one and one


@pytest.fixture
def later(monkeypatch):
    """Runs happen a minute after the files were written, so their stats have settled."""
    import time

    import agent_lint.files as files

    now = time.time_ns() + 60_000_000_000
    monkeypatch.setattr(files.time, "time_ns", lambda: now)


@pytest.fixture
def reads(monkeypatch):
    """Paths whose bytes were read: to learn their digest, or to analyse them."""
    import agent_lint.files as files

    seen: list[str] = []
    original = files.Reader.read

    def spy(self, path):
        seen.append(path)
        return original(self, path)

    monkeypatch.setattr(files.Reader, "read", spy)
    return seen


def test_a_cold_run_reads_each_file_once_and_a_warm_run_none(project, later, reads):
    cold = run(project)
    assert sorted(reads) == sorted(set(reads)) and len(reads) == 7
    reads.clear()
    assert run(project) == cold
    assert reads == []


def test_a_file_changed_in_place_is_read_again_even_with_its_old_size_and_mtime(project, later, reads, analyzed):
    import os

    run(project)
    log = project / ".agents" / "sessions" / "2026-03-02-pr-review-302.md"
    before = log.stat()
    text = log.read_text(encoding="utf-8")
    log.write_text(text.replace("**Date**: 2026-03-02", "**Date**: 2026-13-02"), encoding="utf-8")
    os.utime(log, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime: only ctime moved
    assert log.stat().st_size == before.st_size and log.stat().st_mtime_ns == before.st_mtime_ns
    reads.clear()
    analyzed.clear()
    rows = run(project)
    assert set(reads) == {".agents/sessions/2026-03-02-pr-review-302.md"}  # digested, then analysed
    assert analyzed == [".agents/sessions/2026-03-02-pr-review-302.md"]
    assert rows == run(project, no_cache=True)


def test_files_written_in_the_last_seconds_are_always_read(project, reads):
    run(project)  # no `later`: every file was written just now, and may still change unseen
    reads.clear()
    run(project)
    assert len(reads) == 7  # read to learn their digests; the analyses themselves come from the cache


def test_a_run_on_some_files_reports_on_them_what_a_whole_run_does(project, monkeypatch):
    # A narrower run skips the schema and the document rules of the files it does not report on.
    log = project / ".agents" / "sessions" / "2026-03-02-pr-review-301.md"
    log.write_text(log.read_text(encoding="utf-8").replace("**Date**: 2026-03-02", "**Date**: 2 March"), encoding="utf-8")
    whole = run(project, no_cache=True)
    for path in sorted((project / ".agents" / "sessions").iterdir()):
        rel = path.relative_to(project).as_posix()
        assert run(project, no_cache=True, paths=[path]) == [row for row in whole if row[0] == rel]
    assert any(row[3] == "AL201" for row in whole)


def test_analyses_hold_views_not_documents_in_either_mode(project, monkeypatch):
    # What crosses from the per-document stage (to the project rules, the cache, this process) is the
    # views: memory grows with what project rules read, not with the documents' text.
    from agent_lint.analysis import Analysis, analyze, collect, jobs_of
    from agent_lint.config import load_config
    from agent_lint.files import discover
    from agent_lint.rules import RULES
    from agent_lint.schema_check import session_log_schema
    from agent_lint.views import SessionLog

    monkeypatch.setattr(parallel, "POOL_THRESHOLD", 1)
    config = load_config(RULES, project)
    documents = discover(config)
    stage = Stage(config, RULES, lambda: session_log_schema(config))
    one = collect(analyze(stage, jobs_of(documents, documents), 1))
    assert collect(analyze(stage, jobs_of(documents, documents), 2)) == one
    for analysis in one.values():
        assert isinstance(analysis, Analysis) and isinstance(analysis.view, (SessionLog, type(None)))


def text_run(root: Path, **options) -> tuple[int, str]:
    out = io.StringIO()
    code = check(CheckOptions(cwd=options.pop("cwd", root), jobs=1, **options), out=out)
    return code, out.getvalue()


def test_a_repeated_run_is_answered_from_the_outcome_it_kept(project, analyzed, reads, later):
    first = text_run(project)
    assert first[0] == 1 and "AL2" in first[1]
    analyzed.clear()
    reads.clear()
    assert text_run(project) == first and analyzed == [] and reads == []
    # The exit code follows this run's options, another format or folder renders the same outcome.
    assert text_run(project, exit_zero=True) == (0, first[1])
    below = text_run(project, cwd=project / ".agents")
    assert "sessions/2026-03-02-broken.json" in below[1] and ".agents/sessions/2026-03-02-broken.json" not in below[1]
    assert analyzed == []
    # A changed file is analysed again: the outcome kept belonged to other bytes.
    log = project / ".agents" / "sessions" / "2026-03-02-broken.json"
    log.write_text('{"id": 1}\n', encoding="utf-8")
    assert text_run(project) != first and analyzed == [".agents/sessions/2026-03-02-broken.json"]


def test_only_the_newest_runs_are_kept(project, monkeypatch):
    import agent_lint.cache as cache

    monkeypatch.setattr(cache, "RUNS_KEPT", 2)
    log = project / ".agents" / "sessions" / "2026-03-02-broken.json"
    for n in range(4):
        log.write_text(f'{{"id": {n},\n', encoding="utf-8")
        text_run(project)
    names = [file.name for file in cache_files(project)]
    assert len([name for name in names if name.startswith("run-")]) == 2


def test_an_edit_rewrites_the_one_bucket_of_entries_its_file_is_in(project, analyzed):
    from agent_lint.cache import BUCKETS, _bucket_of

    sessions = project / ".agents" / "sessions"
    for n in range(6, 60):
        sid = f"2026-03-02-pr-review-{300 + n}"
        (sessions / f"{sid}.md").write_text(LOG.format(id=sid, n=300 + n), encoding="utf-8")
    cold = run(project)
    buckets = sorted((project / ".agent_lint_cache").glob("entries-*.bin"))
    assert len(buckets) == BUCKETS  # 61 documents fill every one
    before = {file.name: file.stat().st_ino for file in buckets}

    def edit(n: int) -> str:
        path = f".agents/sessions/2026-03-02-pr-review-{300 + n}.md"
        log = project / path
        log.write_text(log.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        return path

    path = edit(1)
    analyzed.clear()
    assert run(project) == cold and analyzed == [path]
    rewritten = {file.name for file in buckets if file.stat().st_ino != before[file.name]}
    assert rewritten == {f"{buckets[0].name.rsplit('-', 1)[0]}-{_bucket_of(path + ':x'):02x}.bin"}
    # The new entry is found, and the old version of the file is gone from its bucket.
    analyzed.clear()
    assert run(project) == cold and analyzed == []
    (project / path).write_text(LOG.format(id="2026-03-02-pr-review-301", n=301), encoding="utf-8")
    for prefix in ("run",):  # what would answer without the entries
        for kept in (project / ".agent_lint_cache").glob(f"{prefix}-*.bin"):
            kept.unlink()
    analyzed.clear()
    assert run(project) == cold and analyzed == [path]  # its first version was dropped: analysed again


def test_a_removed_files_entry_leaves_its_bucket_once_it_is_a_large_share_of_it(project):
    from agent_lint.cache import _bucket_of

    sessions = project / ".agents" / "sessions"
    for n in range(6, 60):  # about four documents a bucket
        sid = f"2026-03-02-pr-review-{300 + n}"
        (sessions / f"{sid}.md").write_text(LOG.format(id=sid, n=300 + n), encoding="utf-8")
    run(project)
    folder = project / ".agent_lint_cache"
    buckets = {file.name: file.stat().st_ino for file in folder.glob("entries-*.bin")}
    gone = ".agents/sessions/2026-03-02-pr-review-303.md"
    (project / gone).unlink()
    assert run(project) == run(project, no_cache=True)
    # Its bucket, read and let go during the run, is read again and written without it;
    # no other bucket is touched.
    prefix = next(iter(buckets)).rsplit("-", 1)[0]
    touched = {name for name, inode in buckets.items() if (folder / name).stat().st_ino != inode}
    assert touched == {f"{prefix}-{_bucket_of(gone + ':x'):02x}.bin"}


def test_no_cache_leaves_the_user_cache_folder_alone_too(project, tmp_path):
    user = tmp_path / "user-cache"  # the project fixture points XDG_CACHE_HOME here
    run(project, no_cache=True)
    assert not user.exists() or not any(user.rglob("*"))
    run(project)
    assert any(user.rglob("*"))  # a run with the cache keeps its key and config table there


def test_the_source_stamp_covers_every_module_of_the_package(tmp_path):
    from agent_lint.cache import source_stamp, tree_stamp

    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "al001_x.py").write_text("RULE = 1\n")
    before = tree_stamp(tmp_path)
    (tmp_path / "newpackage").mkdir()
    (tmp_path / "newpackage" / "__init__.py").write_text("")
    assert tree_stamp(tmp_path) != before  # a sub-package the stamp did not know about
    import agent_lint

    package = Path(agent_lint.__file__).parent
    assert any((package / folder).is_dir() for folder in ("rules", "extract", "report"))
    assert source_stamp() == source_stamp()


def test_a_project_rule_sees_the_same_views_cold_and_from_the_cache(project):
    # The contract: a field a rule reads is there whatever stage the run answered from.
    from agent_lint.model import Rule, Scope
    from agent_lint.rules import RULES

    seen = []

    def record(project, options):
        seen.append((project.sessions, project.handoffs, project.system, project.session_ids))
        return ()

    spy = Rule("AL998", "views-seen", Scope.PROJECT, record, "Views seen.\n")
    for options in ({"no_cache": True}, {}, {}):  # no cache; filling it; every analysis from it
        cache_dir = project / ".agent_lint_cache"
        for kept in [*cache_dir.glob("run-*.bin"), *cache_dir.glob("project-*.bin")]:
            kept.unlink()  # not the outcome, nor the project stage, of the run before: the project rules run
        check(CheckOptions(cwd=project, output_format="json", jobs=1, select=("AL998",), **options),
              out=io.StringIO(), registry=(*RULES, spy))
    assert len(seen) == 3 and seen[0] == seen[1] == seen[2]
    assert seen[0][0] and all(log.started is None and log.role == "worker" for log in seen[0][0])


def test_a_run_on_one_file_reads_the_others_views_from_the_index(project, analyzed, monkeypatch):
    from agent_lint.cache import Cache

    run(project)
    log = project / ".agents" / "sessions" / "2026-03-02-pr-review-301.md"
    log.write_text(log.read_text(encoding="utf-8").replace("**Date**: 2026-03-02", "**Date**: 2 March"), encoding="utf-8")
    asked: list[str] = []
    original = Cache.get
    monkeypatch.setattr(Cache, "get", lambda self, key: asked.append(key) or original(self, key))
    analyzed.clear()
    named = run(project, paths=[log])
    assert analyzed == [".agents/sessions/2026-03-02-pr-review-301.md"]
    assert [key.rsplit(":", 1)[0] for key in asked] == [".agents/sessions/2026-03-02-pr-review-301.md"]
    assert named == run(project, no_cache=True, paths=[log]) and any(row[3] == "AL201" for row in named)


@pytest.mark.parametrize("record", [
    b"no separators",
    b"digest\0session-log\0null",
    b"digest\0no-such-kind\0view-digest\0null",
    b"%s\0session-log\0view-digest\0[not json",
    b"%s\0session-log\0view-digest\0\"a string, not a view\"",
    b"%s\0handoff\0view-digest\0null\xff",
])
def test_a_signed_index_of_records_that_are_no_views_is_not_trusted(project, record, monkeypatch):
    # Signed with the user's own key (as older code would have written it), yet not what the index holds.
    from agent_lint.cache import Cache, records

    cold = run(project)
    cache_dir = project / ".agent_lint_cache"
    index_file = next(cache_dir.glob("index-*.bin"))
    cache = Cache(cache_dir, "")
    entries = records(cache._read_payload(index_file.name))
    assert len(entries) == 7
    writer = cache.writer(index_file.name)
    for path, blob in entries.items():
        digest = bytes(blob).split(b"\0", 1)[0]
        writer.add(path, record.replace(b"%s", digest) if b"%s" in record else record)
    writer.commit()
    for kept in cache_dir.glob("run-*.bin"):
        kept.unlink()
    asked: list[str] = []
    original = Cache.get
    monkeypatch.setattr(Cache, "get", lambda self, key: asked.append(key) or original(self, key))
    log = project / ".agents" / "sessions" / "2026-03-02-pr-review-301.md"
    assert run(project, paths=[log]) == [row for row in cold if row[0].endswith("301.md")]
    assert len(asked) == 7  # no record was taken: every analysis came from its entry


def test_a_target_whose_signed_entry_holds_no_view_is_analysed_again_when_the_project_stage_runs(project, analyzed):
    # A whole run reads a target's findings from its entry and decodes its view only for the project
    # stage: a view that is no view (older code, signed) is found then, and the document analysed again.
    from agent_lint.cache import Cache, records

    cold = run(project)
    cache_dir = project / ".agent_lint_cache"
    cache = Cache(cache_dir, "")
    damaged = 0
    for bucket in cache_dir.glob("entries-*.bin"):
        entries = records(cache._read_payload(bucket.name))
        writer = cache.writer(bucket.name)
        for key, blob in entries.items():
            view_digest, _, rest = bytes(blob).partition(b"\n")
            _, _, rest = rest.partition(b"\n")
            writer.add(key, b"\n".join((view_digest, b'"a string, not a view"', rest)))
            damaged += 1
        writer.commit()
    assert damaged == 7
    for kept in [*cache_dir.glob("run-*.bin"), *cache_dir.glob("index-*.bin"), *cache_dir.glob("project-*.bin")]:
        kept.unlink()
    analyzed.clear()
    assert run(project) == cold
    assert len(analyzed) == 7  # each view was asked for, found wanting, and its document analysed again


def test_a_run_on_one_file_rewrites_the_index_with_the_other_records_as_they_were(project):
    run(project)
    before = {path: bytes(blob) for path, blob in _index(project).items()}
    log = project / ".agents" / "sessions" / "2026-03-02-pr-review-301.md"
    log.write_text(log.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run(project, paths=[log]) == run(project, no_cache=True, paths=[log])
    after = {path: bytes(blob) for path, blob in _index(project).items()}
    changed = ".agents/sessions/2026-03-02-pr-review-301.md"
    assert after.keys() == before.keys() and after[changed] != before[changed]
    assert {path: blob for path, blob in after.items() if path != changed} == \
        {path: blob for path, blob in before.items() if path != changed}
    from agent_lint import index

    ours, theirs = index.parse(after[changed]), index.parse(before[changed])
    assert ours.digest != theirs.digest and ours.view_digest == theirs.view_digest


def test_records_written_together_make_the_file_written_one_by_one(tmp_path, monkeypatch):
    from agent_lint.cache import Cache, records

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    cache = Cache(tmp_path / "cache", "")
    # Past a megabyte, so the records go out in more than one write.
    items = [(f"path-{n}\udcff", bytes([n]) * (300_000 + n)) for n in range(8)] + [("empty", b"")]
    one = cache.writer("one.bin")
    for key, blob in items:
        one.add(key, memoryview(blob))
    one.commit()
    together = cache.writer("together.bin")
    together.add_all((key, memoryview(blob)) for key, blob in items)
    together.commit()
    assert together.keys == one.keys == {key for key, _ in items}
    assert (tmp_path / "cache" / "together.bin").read_bytes() == (tmp_path / "cache" / "one.bin").read_bytes()
    assert {key: bytes(blob) for key, blob in records(cache._read_payload("together.bin")).items()} == dict(items)


@pytest.mark.parametrize("blob, parsed", [
    (b"d\0session-log\0v\0null", ("d", "session-log", "v", b"null")),
    (b"d\0\0v\0", ("d", None, "v", b"")),
    (b"d\0handoff\0v\0a\0b", ("d", "handoff", "v", b"a\0b")),
    (b"d\0session-log\0" + b"v" * 300 + b"\0null", None),  # its separators past the first 200 bytes
    (b"d\0session-log\0v", None),
    (b"d\0no-such-kind\0v\0null", None),
])
def test_an_index_record_is_split_at_its_first_three_separators(blob, parsed):
    from agent_lint import index

    for given in (blob, memoryview(blob)):
        record = index.parse(given)
        assert (record and (record.digest, record.kind and record.kind.value, record.view_digest,
                            bytes(record.view))) == parsed


def test_a_whole_run_from_the_entries_writes_the_index_it_lacks(project, analyzed, monkeypatch):
    from agent_lint.cache import Cache

    cold = run(project)
    cache_dir = project / ".agent_lint_cache"
    for kept in [*cache_dir.glob("run-*.bin"), *cache_dir.glob("index-*.bin")]:
        kept.unlink()
    analyzed.clear()
    assert run(project) == cold and analyzed == []  # every analysis from its entry
    assert list(cache_dir.glob("index-*.bin"))
    asked: list[str] = []
    original = Cache.get
    monkeypatch.setattr(Cache, "get", lambda self, key: asked.append(key) or original(self, key))
    log = project / ".agents" / "sessions" / "2026-03-02-pr-review-302.md"
    assert run(project, paths=[log]) == [row for row in cold if row[0].endswith("302.md")]
    assert [key.rsplit(":", 1)[0] for key in asked] == [".agents/sessions/2026-03-02-pr-review-302.md"]


# --- the project stage, kept by the views it reads -------------------------------------------------

BATCH = Path(__file__).parent / "fixtures" / "projects" / "batch-violations"
DOCS = ".agents/sessions/2026-04-01-docs.md"
LONELY = ".agents/sessions/2026-04-03-lonely.json"
ROLES = ["orchestrator", "worker", "single"]


@pytest.fixture
def batch(tmp_path, monkeypatch):
    """The batch-violations project (project rules with fixes that read a log's and HANDOFF's text)."""
    import shutil

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "batch"
    shutil.copytree(BATCH, root, ignore=shutil.ignore_patterns("expected.txt"))
    (root / ".git").mkdir()
    return root


@pytest.fixture
def project_runs(monkeypatch):
    """How many times the project rules really ran (the project stage was not kept)."""
    from agent_lint import engine

    calls: list[int] = []
    original = engine.check_project
    monkeypatch.setattr(engine, "check_project", lambda *args: calls.append(1) or original(*args))
    return calls


def checked(root: Path, *paths: Path | str, **options) -> tuple:
    """A run's JSON report, its --diff and its exit codes, on ``paths`` (or the whole tree)."""
    named = tuple(root / path for path in paths)
    json_out, diff_out = io.StringIO(), io.StringIO()
    codes = (check(CheckOptions(cwd=root, output_format="json", jobs=1, paths=named, **options), out=json_out),
             check(CheckOptions(cwd=root, diff=True, jobs=1, paths=named, **options), out=diff_out))
    for kept in (root / ".agent_lint_cache").glob("run-*.bin"):
        kept.unlink()  # a later run is not answered from this one's outcome
    return codes, json.loads(json_out.getvalue())["violations"], diff_out.getvalue()


def edit(root: Path, path: str, old: str, new: str) -> None:
    text = (root / path).read_text(encoding="utf-8")
    assert old in text, (path, old)
    (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_that_changes_no_view_reuses_the_project_stage_and_decodes_no_other_view(batch, project_runs,
                                                                                          monkeypatch):
    from agent_lint import index

    checked(batch)
    with (batch / DOCS).open("a", encoding="utf-8") as handle:
        handle.write("\n")  # the view of the log is what it was
    decoded: list[object] = []
    original = index.view_of
    monkeypatch.setattr(index, "view_of", lambda *args: decoded.append(args) or original(*args))
    project_runs.clear()
    named = checked(batch, DOCS)
    assert project_runs == [] and decoded == []
    assert named == checked(batch, DOCS, no_cache=True)
    assert any(v["code"] == "AL212" for v in named[1])  # a project rule's finding, from the kept stage
    project_runs.clear()
    whole = checked(batch)
    assert project_runs == [] and decoded == []  # a whole run keeps it too, reading the targets' findings alone
    assert whole == checked(batch, no_cache=True)


EDITS = {
    "status": lambda root: edit(root, ".agents/sessions/2026-04-01-docs-setup.md", "**Status**: in-progress",
                                "**Status**: complete"),
    "role": lambda root: edit(root, LONELY, '"role": "orchestrator"', '"role": "worker"'),
    "completed time": lambda root: edit(root, ".agents/sessions/2026-04-01-docs-readme.json",
                                        '"completed": "2026-04-01T10:40Z"', '"completed": "2026-04-01T10:20Z"'),
    "HANDOFF": lambda root: edit(root, "HANDOFF.md", "2026-04-02-orphan, 2026-04-02-typo", "2026-04-02-orphan"),
    # The same lines and columns, so the log's view is what it was; but the text AL213's fix edits is not.
    "a log's text a fix reads": lambda root: edit(root, LONELY, "Dispatch nobody", "Dispatch nobody at all"),
    "a file added": lambda root: (root / ".agents/sessions/2026-04-02-typo.md").write_text(
        LOG.format(id="2026-04-02-typo", n=1), encoding="utf-8"),
    "a file removed": lambda root: (root / ".agents/sessions/2026-04-02-orphan.md").unlink(),
    "a kind": lambda root: (root / LONELY).write_text("[1, 2]\n", encoding="utf-8"),  # data, not a log
}


@pytest.mark.parametrize("name", EDITS)
def test_an_edit_that_changes_what_the_project_stage_reads_runs_it_again(batch, project_runs, name):
    before = checked(batch)
    EDITS[name](batch)
    project_runs.clear()
    named = checked(batch, *named_paths(name))
    assert project_runs  # the project rules ran again, on a run that names one file
    assert named == checked(batch, *named_paths(name), no_cache=True)
    project_runs.clear()
    after = checked(batch)
    assert after == checked(batch, no_cache=True) and after != before  # kept, the stage would have been wrong


def named_paths(name: str) -> tuple[str]:
    return (LONELY if name == "a log's text a fix reads" else DOCS,)


def test_random_edits_give_what_a_run_without_the_cache_gives(batch):
    import random

    chooser = random.Random(17)
    texts = {path: (batch / path).read_text(encoding="utf-8") for path in (DOCS, LONELY, "HANDOFF.md")}
    small = [
        lambda: (batch / chooser.choice(list(texts))).open("a", encoding="utf-8").write("\n"),
        lambda: (batch / DOCS).write_text(texts[DOCS].replace("11:00Z", f"1{chooser.randrange(10)}:00Z"),
                                          encoding="utf-8"),
        lambda: (batch / DOCS).write_text(texts[DOCS].replace("complete", chooser.choice(["complete", "done", "x"])),
                                          encoding="utf-8"),
        lambda: (batch / LONELY).write_text(texts[LONELY].replace("nobody", "x" * chooser.randrange(1, 9)),
                                            encoding="utf-8"),
        lambda: (batch / LONELY).write_text(texts[LONELY].replace("orchestrator", chooser.choice(ROLES)),
                                            encoding="utf-8"),
        lambda: (batch / "HANDOFF.md").write_text(texts["HANDOFF.md"].replace("Handoff", "H" * chooser.randrange(1, 9)),
                                                  encoding="utf-8"),
        lambda: (batch / "HANDOFF.md").write_text(texts["HANDOFF.md"].replace(", 2026-04-02-typo", ""),
                                                  encoding="utf-8"),
        lambda: [(batch / path).write_text(text, encoding="utf-8") for path, text in texts.items()],
    ]
    for _ in range(12):
        chooser.choice(small)()
        for paths in ((chooser.choice([DOCS, LONELY, "HANDOFF.md"]),), ()):
            assert checked(batch, *paths) == checked(batch, *paths, no_cache=True)



def test_a_kept_project_stage_is_keyed_by_the_range_of_the_history_too(tmp_path):
    from types import SimpleNamespace

    from agent_lint import index
    from agent_lint.caching import Analyses, project_key
    from agent_lint.model import Kind

    documents = {"a.md": Kind.SESSION_LOG, "b.json": Kind.SESSION_LOG}
    records = {path: index.Record("d", kind, "v" + path, b"null") for path, kind in documents.items()}

    def key(history=None, kinds=None, digests=None):
        run = SimpleNamespace(documents=documents, history=history)
        kinds = {path: record.kind for path, record in records.items()} | (kinds or {})
        digests = digests or {path: record.view_digest for path, record in records.items()}
        facts = {path: index.fact(kinds[path], view_digest) for path, view_digest in digests.items()}
        return project_key(run, Analyses(None, run, {}, dict(records), facts))

    ranges = [SimpleNamespace(base=base, head=head, since="main") for base, head in (("1", "2"), ("1", "3"), ("0", "2"))]
    keys = {key(), *(key(history) for history in ranges), key(kinds={"b.json": None}),
            key(digests={"a.md": "va.md", "b.json": "other"})}
    assert len(keys) == 6 and None not in keys
    assert key(digests={"a.md": "va.md"}) is None  # a view of unknown bytes: not kept


def test_a_view_not_yet_decoded_is_decoded_wherever_the_analyses_are_read(project):
    from agent_lint import index
    from agent_lint.caching import Analyses

    run(project)
    records = {path: index.parse(blob) for path, blob in _index(project).items()}
    fresh = lambda: Analyses(None, None, {}, dict(records), {})  # noqa: E731
    first = sorted(records)[0]
    assert first in fresh() and len(fresh()) == len(records) == 7
    assert fresh()[first].view == fresh().get(first).view == index.view_of(records[first].view, records[first].kind)
    assert fresh().get("no-such-path") is None and "no-such-path" not in fresh()
    assert sorted(fresh()) == sorted(dict(fresh())) == sorted(records)
    merged: dict = {}
    merged.update(fresh())
    assert merged == dict(fresh().items()) and all(isinstance(a.path, str) for a in merged.values())
    with pytest.raises(KeyError):
        fresh()["no-such-path"]


def _index(root: Path) -> dict:
    from agent_lint.cache import Cache, records

    cache_dir = root / ".agent_lint_cache"
    (index_file,) = cache_dir.glob("index-*.bin")
    return records(Cache(cache_dir, "")._read_payload(index_file.name))


@pytest.mark.parametrize("value", [
    "not a result",
    ((), ()),
    ((("AL999", "Finding"),), (), ()),  # replaced below: a code no rule of the run has
    ((("AL212", "not a finding"),), (), ()),
    ((), (1,), ()),
    ((), (), (("HANDOFF.md", "not its digest"),)),
    ((), (), (("no-such-file.md", ""),)),
])
def test_a_kept_project_stage_that_is_not_one_is_not_trusted(batch, project_runs, value):
    # Signed with the user's own key (as older code would have written it), yet not what the stage finds.
    from agent_lint.cache import Cache
    from agent_lint.model import Finding

    if value[0] and value[0][0] == ("AL999", "Finding"):
        value = ((("AL999", Finding(1, 1, "forged")),), (), ())
    cold = checked(batch)
    cache_dir = batch / ".agent_lint_cache"
    (kept,) = cache_dir.glob("project-*.bin")
    settings, key = kept.name.removesuffix(".bin").split("-")[1:]
    cache = Cache(cache_dir, "")
    cache.settings = settings
    cache.put_keyed("project", key, value)
    assert isinstance(cache.get_keyed("project", key), type(value))  # the run reads it, signed as it is
    project_runs.clear()
    assert checked(batch, DOCS) == checked(batch, DOCS, no_cache=True)
    assert project_runs and checked(batch) == cold


def test_a_damaged_kept_project_stage_is_ignored(batch, project_runs):
    cold = checked(batch)
    (kept,) = (batch / ".agent_lint_cache").glob("project-*.bin")
    data = bytearray(kept.read_bytes())
    data[-3] ^= 1
    kept.write_bytes(bytes(data))
    project_runs.clear()
    assert checked(batch) == cold and project_runs


@pytest.mark.parametrize("count", [0, 1, 2, 999, 1000, 1001, 2500])
def test_a_key_is_the_digest_of_its_whole_text_though_the_text_is_never_made(count):
    from agent_lint.cache import digest, digest_text
    from agent_lint.caching import _joined

    items = [f".agents/sessions/{n}-\udcff-é.md\0session-log\0{n:032x}" for n in range(count)]
    whole = "(None, None)\0\0" + "\n".join(items)
    assert digest_text(_joined("(None, None)\0\0", "\n", iter(items))) == digest(whole.encode("utf-8", "surrogateescape"))


def test_a_cache_folder_keeps_the_files_of_the_last_few_settings_used_not_every_one(project, analyzed):
    # Each rule selection (like each upgrade or config edit) is settings of their own, with entries and
    # an index of their own: without forgetting old ones a folder grows by a full set every time.
    from agent_lint.cache import SETTINGS_KEPT

    def settings_in_folder() -> set[str]:
        return {path.name.split("-")[1][:32] for path in cache_files(project) if path.name != "files.bin"}

    ignored = ["AL201", "AL202", "AL203", "AL204", "AL205", "AL216", "AL217"]
    for n in range(SETTINGS_KEPT + 2):
        run(project, ignore=tuple(ignored[:n]))
        assert len(settings_in_folder()) == min(n + 1, SETTINGS_KEPT)
    analyzed.clear()
    last = run(project, ignore=tuple(ignored[:SETTINGS_KEPT + 1]))
    assert analyzed == [] and last  # the settings in use kept theirs
    analyzed.clear()
    run(project)  # settings forgotten: analysed again, and theirs are back
    assert len(analyzed) == 7 and len(settings_in_folder()) == SETTINGS_KEPT
    assert (project / ".agent_lint_cache" / ".gitignore").exists()  # only settings' own files are removed


def test_reading_a_small_cache_file_asks_for_its_size_not_the_largest_a_cache_file_may_be(tmp_path):
    # Reading asks for a buffer of the size it is given: the limit (256 MB) on every cache read failed
    # where memory is not overcommitted. Here the process may not grow by 128 MB.
    import subprocess
    import sys

    small = tmp_path / "small.bin"
    small.write_bytes(b"hello\n")
    code = (
        "import resource, sys\n"
        "from agent_lint.cache import read_regular, MAX_FILE\n"
        "vm = int(open('/proc/self/statm').read().split()[0]) * resource.getpagesize()\n"
        "resource.setrlimit(resource.RLIMIT_AS, (vm + (128 << 20), resource.RLIM_INFINITY))\n"
        "print(read_regular(sys.argv[1], MAX_FILE))\n"
    )
    if not Path("/proc/self/statm").exists():
        pytest.skip("no /proc/self/statm to size the limit by")
    done = subprocess.run([sys.executable, "-c", code, str(small)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "b'hello\\n'\n"), done.stderr[-500:]
