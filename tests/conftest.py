import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# AGENT_LINT_CORPUS names it where the checkout is not beside shared/ (a git worktree elsewhere).
CORPUS = Path(os.environ.get("AGENT_LINT_CORPUS")
              or Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "ai-agents")


def pytest_addoption(parser):
    parser.addoption("--update-expect", action="store_true",
                     help="write the rows each fixture produces as its expected rows (review the diff after)")


@pytest.fixture
def update_expect(request) -> bool:
    """Whether tests/test_fixtures.py should write what it finds into the fixtures instead of comparing."""
    return request.config.getoption("--update-expect")


@pytest.fixture
def corpus() -> Path:
    """The real-world corpus beside the checkout; tests using it skip where it is absent."""
    if not (CORPUS / ".agents").is_dir():
        pytest.skip(f"real-world corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory) -> Path:
    """A copy of the corpus's ``.agents`` tree, made once per run, for tests that only read it.

    A copy rather than a link: agent-lint reads nothing that leads outside the project root.
    Tests that change files make their own copy.
    """
    if not (CORPUS / ".agents").is_dir():
        pytest.skip(f"real-world corpus not found at {CORPUS}")
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS / ".agents", root / ".agents", symlinks=True)
    return root
