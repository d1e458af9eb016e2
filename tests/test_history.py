"""The history reader against real git repositories built in a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from agent_lint import runner
from agent_lint.cli import run
from agent_lint.history import Change, History, parse_log, read_history
from agent_lint.model import AgentLintError

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path):
    """Keep the user's and the system's git config out of every git call, ours and the reader's."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_SYSTEM", "/dev/null")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES"):
        monkeypatch.delenv(name, raising=False)
    # A ceiling keeps git from finding a repository above tmp_path (the checkout itself).
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


class Repo:
    """A git repository with scripted commits; commit N is dated 2026-03-02 10:NN UTC."""

    def __init__(self, path: Path, branch: str = "main"):
        self.path = path
        self.count = 0
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self.git("config", "user.name", "Ada Lovelace")
        self.git("config", "user.email", "ada@example.org")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, input: bytes | None = None) -> str:
        result = subprocess.run(["git", *args], cwd=self.path, capture_output=True, input=input, check=True)
        return result.stdout.decode().strip()

    def write(self, files: dict[str, str | None]) -> None:
        for name, content in files.items():
            target = self.path / name
            if content is None:
                self.git("rm", "-q", "--", name)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
                self.git("add", "--", name)

    def commit(self, message: str, files: dict[str, str | None] | None = None, *args: str) -> str:
        self.write(files or {})
        self.count += 1
        date = f"2026-03-02T10:{self.count:02d}:00+00:00"
        subprocess.run(
            ["git", "commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "-", *args],
            cwd=self.path, input=message.encode(), check=True,
            env={**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
        )
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit("Initial commit", {"README.md": "hello\n"})
    return repo


LOG = "\n".join(f"line {n} of the session log, long enough to be recognised as the same file" for n in range(12))


# ----------------------------------------------------------------------------
# The data


def test_linear_history_is_oldest_first_with_parents_subjects_and_trailers(repo):
    base = repo.git("rev-parse", "HEAD")
    first = repo.commit("docs: add worker log\n", {".agents/sessions/w1.md": LOG})
    second = repo.commit(
        "docs: record the batch\n\n"
        "Two workers ran in parallel.\n\n"
        "Session-Ids: orch, w1,\n"
        "  w2\n"
        "session-ids: w3\n"
        "Reviewed-by: Grace <grace@example.org>\n",
        {"HANDOFF.md": "# Handoff\n"},
    )

    history = read_history(repo.path, base)

    assert history.base == base and history.head == second and history.since == base
    assert [c.hash for c in history.commits] == [first, second]
    assert [c.parents for c in history.commits] == [(base,), (first,)]
    assert [c.subject for c in history.commits] == ["docs: add worker log", "docs: record the batch"]
    assert all(c.first_parent and not c.is_merge for c in history.commits)
    record = history.commits[1]
    assert record.short == second[: len(record.short)] and len(record.short) >= 7
    assert (record.author, record.author_email) == ("Ada Lovelace", "ada@example.org")
    assert record.date == record.commit_date == "2026-03-02T10:03:00+00:00"
    assert record.message.startswith("docs: record the batch\n\nTwo workers ran in parallel.\n")
    assert record.trailers == (
        ("Session-Ids", "orch, w1, w2"),
        ("session-ids", "w3"),
        ("Reviewed-by", "Grace <grace@example.org>"),
    )
    assert record.session_ids() == ("orch", "w1", "w2", "w3")
    assert record.trailer_values("REVIEWED-BY") == ("Grace <grace@example.org>",)
    assert history.commits[0].trailers == () and history.commits[0].session_ids() == ()


def test_only_the_last_paragraph_holds_trailers_and_duplicate_ids_are_kept(repo):
    base = repo.git("rev-parse", "HEAD")
    repo.commit(
        "docs: record\n\nSession-Ids: not, a, trailer\n\nThis paragraph ends the message.\n",
        {"HANDOFF.md": "a\n"},
    )
    repo.commit("docs: again\n\nSession-Ids: a, b, a\n", {"HANDOFF.md": "b\n"})

    first, second = read_history(repo.path, base).commits

    assert first.trailers == () and first.session_ids() == ()
    assert second.session_ids() == ("a", "b", "a")


def test_changes_have_statuses_and_renames_keep_their_source(repo):
    repo.commit("add", {".agents/sessions/x.md": LOG, "HANDOFF.md": "# Handoff\n", "old.md": "gone soon\n"})
    base = repo.git("rev-parse", "HEAD")
    repo.git("mv", ".agents/sessions/x.md", ".agents/sessions/x.json")
    repo.write({".agents/sessions/x.json": LOG + "\nline 12\n"})
    repo.commit("convert the log to JSON", {"HANDOFF.md": "# Handoff\n\nmore\n", "old.md": None, "new.md": "x\n"})

    (commit,) = read_history(repo.path, base).commits

    assert sorted(commit.changes, key=lambda c: c.path) == [
        Change("R", ".agents/sessions/x.json", ".agents/sessions/x.md"),
        Change("M", "HANDOFF.md"),
        Change("A", "new.md"),
        Change("D", "old.md"),
    ]
    read_history(repo.path, base)  # a range with a rename and a type change reads without error
    assert commit.touches(lambda p: p == ".agents/sessions/x.md")  # the rename's source
    assert not commit.touches(lambda p: p == "nothing.md")


def test_type_change_is_reported_as_t(repo):
    repo.commit("add", {"link.md": "text\n"})
    base = repo.git("rev-parse", "HEAD")
    (repo.path / "link.md").unlink()
    (repo.path / "link.md").symlink_to("README.md")
    repo.git("add", "link.md")
    repo.commit("make it a link")

    assert read_history(repo.path, base).commits[0].changes == (Change("T", "link.md"),)


def test_merge_brings_in_a_block_before_it_and_authors_nothing_of_its_own(repo):
    base = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "worker")
    w1 = repo.commit("worker 1 log", {".agents/sessions/w1.md": "w1\n"})
    w2 = repo.commit("worker 2 log", {".agents/sessions/w2.md": "w2\n"})
    repo.git("checkout", "-q", "main")
    orch = repo.commit("orchestrator log", {".agents/sessions/o.md": "o\n"})
    repo.git("merge", "-q", "--no-ff", "--no-edit", "worker")
    merge = repo.git("rev-parse", "HEAD")
    handoff = repo.commit("docs: record the batch\n\nSession-Ids: o, w1, w2\n", {"HANDOFF.md": "x\n"})

    history = read_history(repo.path, base)

    assert [c.hash for c in history.commits] == [orch, w1, w2, merge, handoff]
    assert [c.first_parent for c in history.commits] == [True, False, False, True, True]
    merge_commit = history.get(merge)
    assert merge_commit.is_merge and merge_commit.parents == (orch, w2)
    assert merge_commit.changes == ()  # the logs are the workers' commits, not the merge's
    assert [c.hash for c in history.brought_in(merge_commit)] == [w1, w2]
    assert history.brought_in(history.get(orch)) == ()
    logs = [c.hash for c in history.commits if c.touches(lambda p: p.startswith(".agents/sessions/"))]
    assert logs == [orch, w1, w2]
    handoff_commit = history.get(handoff)
    assert all(history.is_ancestor(c, handoff_commit) for c in history.commits)
    assert not history.is_ancestor(history.get(w1), history.get(orch))
    assert not history.is_ancestor(history.get(orch), history.get(w2))


def test_pull_request_merge_commit_holds_the_branch_as_its_block(repo):
    """The checkout CI makes of a pull request: a merge of the branch into the target's tip."""
    repo.git("checkout", "-q", "-b", "pr")
    p1 = repo.commit("p1", {"a.md": "a\n"})
    p2 = repo.commit("p2", {"b.md": "b\n"})
    repo.git("checkout", "-q", "main")
    target = repo.commit("meanwhile on main", {"c.md": "c\n"})
    repo.git("merge", "-q", "--no-ff", "--no-edit", "pr")

    history = read_history(repo.path, "main~1")

    assert history.base == target
    assert [c.subject for c in history.commits] == ["p1", "p2", "Merge branch 'pr'"]
    assert [c.hash for c in history.brought_in(history.commits[-1])] == [p1, p2]
    assert [c.first_parent for c in history.commits] == [False, False, True]


def test_merging_the_target_back_in_keeps_its_commits_out_of_the_range(repo):
    repo.git("checkout", "-q", "-b", "pr")
    p1 = repo.commit("p1", {"a.md": "a\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("other batch", {"HANDOFF.md": "theirs\n"})
    repo.git("checkout", "-q", "pr")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "main")
    merge = repo.git("rev-parse", "HEAD")

    history = read_history(repo.path, "main")

    assert [c.hash for c in history.commits] == [p1, merge]
    # The target's HANDOFF change comes in with the merge, which takes it as it was: not this branch's doing.
    assert history.get(merge).changes == ()
    assert history.brought_in(history.get(merge)) == ()


HANDOFF_LINES = "".join(f"line {n}\n" for n in range(1, 10))


def _diverged(repo: Repo, ours: str, theirs: str) -> str:
    """main and a branch each change HANDOFF.md from a common version; returns the base."""
    repo.commit("handoff", {"HANDOFF.md": HANDOFF_LINES})
    base = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("theirs", {"HANDOFF.md": theirs})
    repo.git("checkout", "-q", "main")
    repo.commit("ours", {"HANDOFF.md": ours})
    return base


def _merge_resolving(repo: Repo, text: str | None) -> str:
    """Merge side into main; on a conflict, HANDOFF.md becomes ``text`` (None: main's version)."""
    done = subprocess.run(["git", "merge", "-q", "--no-edit", "side"], cwd=repo.path, capture_output=True)
    if done.returncode != 0:
        if text is None:
            repo.git("checkout", "--ours", "HANDOFF.md")
        else:
            (repo.path / "HANDOFF.md").write_text(text, encoding="utf-8")
        repo.git("add", "HANDOFF.md")
        repo.git("commit", "-q", "--no-edit")
    return repo.git("rev-parse", "HEAD")


def test_a_merge_that_resolves_a_conflict_in_its_own_words_changes_the_file(repo):
    base = _diverged(repo, HANDOFF_LINES.replace("line 5", "ours"), HANDOFF_LINES.replace("line 5", "theirs"))
    merge = _merge_resolving(repo, HANDOFF_LINES.replace("line 5", "both"))
    assert read_history(repo.path, base).get(merge).changes == (Change("M", "HANDOFF.md"),)


def test_a_merge_that_takes_one_side_or_merges_cleanly_changes_nothing(repo):
    base = _diverged(repo, HANDOFF_LINES.replace("line 5", "ours"), HANDOFF_LINES.replace("line 5", "theirs"))
    kept_ours = _merge_resolving(repo, None)
    assert read_history(repo.path, base).get(kept_ours).changes == ()

    repo.git("checkout", "-q", "-b", "again", base)
    repo.git("branch", "-q", "-f", "side", repo.commit("theirs again", {"HANDOFF.md": HANDOFF_LINES.replace("line 1\n", "one\n")}))
    repo.git("checkout", "-q", "-B", "main", base)
    repo.commit("ours again", {"HANDOFF.md": HANDOFF_LINES.replace("line 9", "nine")})
    clean = _merge_resolving(repo, "unused")
    assert (repo.path / "HANDOFF.md").read_text().startswith("one\n")  # git combined both edits
    assert read_history(repo.path, base).get(clean).changes == ()


def test_root_below_the_top_level_strips_the_prefix_and_drops_outside_changes(repo):
    repo.commit("add", {"docs/agents/x.md": LOG, "outside/y.md": LOG + "\ny\n", "docs/agents/HANDOFF.md": "h\n"})
    base = repo.git("rev-parse", "HEAD")
    repo.git("mv", "docs/agents/x.md", "outside/x.md")
    repo.git("mv", "outside/y.md", "docs/agents/y.md")
    repo.commit("move across the root", {"docs/agents/HANDOFF.md": "h2\n", "README.md": "changed\n"})
    repo.commit("outside only", {"README.md": "again\n"})

    first, second = read_history(repo.path / "docs" / "agents", base).commits

    assert sorted(first.changes, key=lambda c: c.path) == [
        Change("M", "HANDOFF.md"),
        Change("D", "x.md"),
        Change("A", "y.md"),
    ]
    assert second.changes == () and second.subject == "outside only"


def test_odd_messages_and_paths(repo):
    base = repo.git("rev-parse", "HEAD")
    odd = "docs: \u00e9t\u00e9 \u2014 \U0001F680 \x01\x1f\x1e ctrl\n\nA\n\nM\nnot/a/path\n"
    repo.commit(odd, {"d\u00e9j\u00e0 vu.md": "x\n", "tab\tand\nnewline.md": "y\n"})
    repo.commit("subject only")
    # Git refuses NUL in messages; a commit written by hand with one is cut at the NUL when read.
    tree = repo.git("rev-parse", "HEAD^{tree}")
    parent = repo.git("rev-parse", "HEAD")
    raw = (f"tree {tree}\nparent {parent}\nauthor A <a@b> 1700000000 +0000\n"
           f"committer A <a@b> 1700000000 +0000\n\nbefore\0after\n\nSession-Ids: z\n").encode()
    crafted = repo.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=raw)
    repo.git("update-ref", "HEAD", crafted)

    first, second, third = read_history(repo.path, base).commits

    assert first.subject == "docs: \u00e9t\u00e9 \u2014 \U0001F680 \x01\x1f\x1e ctrl"
    assert first.message == odd
    assert sorted(first.changes, key=lambda c: c.path) == [
        Change("A", "d\u00e9j\u00e0 vu.md"), Change("A", "tab\tand\nnewline.md"),
    ]
    assert second.message == "subject only" and second.trailers == () and second.changes == ()
    assert third.hash == crafted and third.subject == "before" and third.parents == (parent,)


def test_since_head_is_an_empty_history(repo):
    head = repo.git("rev-parse", "HEAD")
    assert read_history(repo.path, "HEAD") == History(head, head, (), "HEAD")
    repo.git("branch", "later")
    repo.commit("ahead of HEAD~")
    repo.git("checkout", "-q", "later")
    assert read_history(repo.path, "main").commits == ()


# ----------------------------------------------------------------------------
# Failures


def test_unknown_ref(repo):
    with pytest.raises(AgentLintError, match=r"^unknown revision 'origin/mian'; fetch it or name an existing ref$"):
        read_history(repo.path, "origin/mian")


def test_ref_that_looks_like_an_option_is_a_ref(repo):
    with pytest.raises(AgentLintError, match=r"unknown revision '--all'"):
        read_history(repo.path, "--all")


def test_not_a_git_repository(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    with pytest.raises(AgentLintError, match=r"^--since needs a git repository, and .*plain is not inside one$"):
        read_history(folder, "main")


def test_repository_without_commits(tmp_path):
    empty = Repo(tmp_path / "empty")
    with pytest.raises(AgentLintError, match=r"^HEAD has no commit yet"):
        read_history(empty.path, "main")


def test_unrelated_histories(repo):
    repo.git("checkout", "-q", "--orphan", "other")
    repo.commit("unrelated root", {"x.md": "x\n"})
    with pytest.raises(AgentLintError, match=r"^'main' and HEAD share no history"):
        read_history(repo.path, "main")


def test_unreadable_log_output_is_an_error_not_a_traceback():
    with pytest.raises(AgentLintError, match=r"^could not read git log output"):
        parse_log(b"not a hash\0x\0")
    with pytest.raises(AgentLintError, match=r"^could not read git log output"):
        parse_log(b"\0".join([b"a" * 40] + [b"f"] * 9 + [b"\nR100", b"only-one-path"]))


def test_git_not_installed(repo, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))
    with pytest.raises(AgentLintError, match=r"^--since needs git, which is not installed or not on PATH$"):
        read_history(repo.path, "HEAD")


@pytest.mark.parametrize("since", ["HEAD", "-weird"])  # the calls made at once, and one by one
def test_timeout(repo, monkeypatch, since):
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired("git", kwargs.get("timeout"))

    monkeypatch.setattr(subprocess, "run", slow)
    monkeypatch.setattr(subprocess.Popen, "communicate", slow)
    with pytest.raises(AgentLintError, match=r"^git took longer than \d+ s to inspect the repository"):
        read_history(repo.path, since)


@pytest.fixture
def upstream(tmp_path) -> Repo:
    """main: c1-c2; feature: c1-c2-s1..s3 merged into pr: c2-p1-M."""
    up = Repo(tmp_path / "upstream")
    up.commit("c1", {"c1.md": "1\n"})
    up.commit("c2", {"c2.md": "2\n"})
    up.git("checkout", "-q", "-b", "feature")
    for n in (1, 2, 3):
        up.commit(f"s{n}", {f"s{n}.md": f"{n}\n"})
    up.git("checkout", "-q", "-b", "pr", "main")
    up.commit("p1", {"p1.md": "p\n"})
    up.git("merge", "-q", "--no-ff", "--no-edit", "feature")
    return up


def _clone(upstream: Repo, tmp_path: Path, *args: str) -> Path:
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", *args, f"file://{upstream.path}", str(target)], check=True)
    return target


def test_shallow_clone_without_the_ref(upstream, tmp_path):
    old = upstream.git("rev-parse", "main~1")
    clone = _clone(upstream, tmp_path, "--depth", "1", "--branch", "pr")
    with pytest.raises(AgentLintError, match=r"^unknown revision '[0-9a-f]+' in a shallow clone; .*fetch-depth: 0.*git fetch --unshallow"):
        read_history(clone, old)


def test_shallow_clone_without_a_merge_base(upstream, tmp_path):
    clone = _clone(upstream, tmp_path, "--depth", "1", "--branch", "pr", "--no-single-branch")
    with pytest.raises(AgentLintError, match=r"^no common history of 'origin/main' and HEAD in this shallow clone; .*fetch-depth: 0"):
        read_history(clone, "origin/main")


def test_shallow_clone_that_cuts_a_side_branch(upstream, tmp_path):
    # Depth 3 reaches main's tip along the first-parent line but stops inside the merged branch.
    clone = _clone(upstream, tmp_path, "--depth", "3", "--branch", "pr", "--no-single-branch")
    with pytest.raises(AgentLintError, match=r"^the shallow clone cuts the history between 'origin/main' and HEAD"):
        read_history(clone, "origin/main")


def test_deep_enough_shallow_clone_reads_the_range(upstream, tmp_path):
    clone = _clone(upstream, tmp_path, "--depth", "5", "--branch", "pr", "--no-single-branch")
    history = read_history(clone, "origin/main")
    assert [c.subject for c in history.commits] == ["p1", "s1", "s2", "s3", "Merge branch 'feature' into pr"]


# ----------------------------------------------------------------------------
# Through the runner and the command line


def test_check_loads_the_history_only_with_since(repo, monkeypatch):
    base = repo.git("rev-parse", "HEAD")
    head = repo.commit("docs: record\n\nSession-Ids: a\n", {"HANDOFF.md": "x\n"})
    seen = []
    import agent_lint.engine as engine

    original = engine.lint

    def spy(run, *args):
        seen.append(run.history)
        return original(run, *args)

    monkeypatch.setattr(engine, "lint", spy)
    runner.check(runner.CheckOptions(cwd=repo.path, since=base, output_format="json"), out=_Sink())
    runner.check(runner.CheckOptions(cwd=repo.path, output_format="json"), out=_Sink())

    assert isinstance(seen[0], History) and [c.hash for c in seen[0].commits] == [head]
    assert seen[0].commits[0].session_ids() == ("a",)
    assert seen[1] is None


class _Sink:
    def write(self, text: str) -> int:
        return len(text)


def test_cli_since_exits_zero_on_a_clean_repository(repo, monkeypatch, capsys):
    base = repo.git("rev-parse", "HEAD")
    repo.commit("more", {"notes.txt": "x\n"})
    monkeypatch.chdir(repo.path)
    assert run(["check", "--since", base]) == 0
    assert run(["check", "--since", "HEAD"]) == 0


def test_cli_unknown_ref_is_one_line_and_exit_two(repo, monkeypatch, capsys):
    monkeypatch.chdir(repo.path)
    assert run(["check", "--since", "origin/mian"]) == 2
    err = capsys.readouterr().err
    assert err == "agent-lint: error: unknown revision 'origin/mian'; fetch it or name an existing ref\n"


def test_cli_outside_a_repository_is_one_line_and_exit_two(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "plain"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert run(["check", "--since", "main"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("agent-lint: error: --since needs a git repository")


def test_ancestry_does_not_depend_on_the_order_commits_are_listed_in():
    def commit(hash_: str, *parents: str):
        from agent_lint.history import Commit

        return Commit(hash_ * 40, hash_, tuple(p * 40 for p in parents), "", "", "", "", hash_, hash_, (), ())

    a, b, c, d = commit("a"), commit("b", "a"), commit("c", "a"), commit("d", "b", "c")
    for order in ((a, b, c, d), (d, c, b, a)):
        history = History("0" * 40, d.hash, order)
        assert history.is_ancestor(a, d) and history.is_ancestor(c, d) and history.is_ancestor(d, d)
        assert not history.is_ancestor(b, c) and not history.is_ancestor(d, a)
        assert [x.subject for x in history.brought_in(d)] == ["c"]


def test_the_base_content_of_the_paths_asked_for_that_the_range_changes_without_adding(repo):
    repo.commit("logs", {".agents/sessions/old.md": "at the base\n", ".agents/sessions/moved.md": LOG,
                         "notes.md": "x\n"})
    base = repo.git("rev-parse", "HEAD")
    repo.commit("edit", {".agents/sessions/old.md": "edited\n", ".agents/sessions/new.md": "added\n",
                         "notes.md": "y\n"})
    repo.git("mv", ".agents/sessions/moved.md", ".agents/sessions/moved.json")
    repo.commit("rename")

    history = read_history(repo.path, base, older=lambda path: path.startswith(".agents/sessions/"))

    assert history.at_base == {".agents/sessions/old.md": b"at the base\n",
                               ".agents/sessions/moved.md": LOG.encode()}
    assert read_history(repo.path, base).at_base == {}


def test_the_objects_of_a_log_that_several_commits_add(repo):
    repo.commit("base", {"notes.md": "x\n"})
    base = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "one")
    one = repo.commit("one", {".agents/sessions/s.md": "one\n", ".agents/sessions/only.md": "once\n",
                             "twice.md": "a\n"})
    repo.git("checkout", "-q", "-b", "two", base)
    two = repo.commit("two", {".agents/sessions/s.md": "two\n", "twice.md": "b\n"})
    repo.git("merge", "-q", "--no-ff", "-s", "ours", "-m", "merge", "one")
    blob = {text: repo.git("hash-object", "--stdin", input=text.encode()) for text in ("one\n", "two\n")}

    history = read_history(repo.path, base, older=lambda path: path.startswith(".agents/sessions/"))

    assert history.added_twice == {(one, ".agents/sessions/s.md"): blob["one\n"],
                                   (two, ".agents/sessions/s.md"): blob["two\n"]}
    assert read_history(repo.path, base).added_twice == {}


def test_merges_are_read_for_the_paths_asked_for_only(repo):
    base = _diverged(repo, HANDOFF_LINES.replace("line 5", "ours"), HANDOFF_LINES.replace("line 5", "theirs"))
    merge = _merge_resolving(repo, HANDOFF_LINES.replace("line 5", "both"))

    assert read_history(repo.path, base, merged=["handoff.md"]).get(merge).changes == (Change("M", "HANDOFF.md"),)
    assert read_history(repo.path, base, merged=["docs"]).get(merge).changes == ()
    assert read_history(repo.path, base, merged=[]).get(merge).changes == ()
