"""What the wheel ships: the package, every rule module, the schemas, the script.

The schemas live in the top-level ``schemas/`` of the checkout and are copied
into ``agent_lint/schemas`` by the wheel build (hatchling force-include);
``resources.schema_dir()`` finds them in either place.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import agent_lint
from agent_lint.resources import load_schema, schema_dir

CHECKOUT = Path(__file__).resolve().parents[1]
SOURCE = CHECKOUT / "lint" / "agent_lint"


def repo_schemas() -> list[str]:
    return sorted(path.name for path in (CHECKOUT / "schemas").glob("*.json"))


def test_every_schema_of_the_checkout_is_found_and_loads():
    assert schema_dir().is_dir()
    assert sorted(path.name for path in schema_dir().glob("*.json")) == repo_schemas()
    for name in repo_schemas():
        assert isinstance(load_schema(name), dict), name


def test_an_installed_package_reads_its_own_schemas():
    package = Path(agent_lint.__file__).resolve().parent
    if package == SOURCE.resolve():
        pytest.skip("agent_lint is imported from the source tree, not installed")
    assert schema_dir().resolve() == package / "schemas"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    pytest.importorskip("hatchling", reason="the build backend is in the test extra: pip install '.[test]'")
    dest = tmp_path_factory.mktemp("wheel")
    # The build backend called directly: no isolated environment, no network.
    subprocess.run(
        [sys.executable, "-c", "import sys; from hatchling.build import build_wheel; build_wheel(sys.argv[1])", str(dest)],
        cwd=CHECKOUT, check=True, capture_output=True,
    )
    (built,) = dest.glob("*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_wheel_ships_the_package_and_the_schemas(wheel):
    names = set(wheel.namelist())
    modules = {f"agent_lint/{path.relative_to(SOURCE).as_posix()}" for path in SOURCE.rglob("*.py")}
    assert modules and modules <= names
    assert {f"agent_lint/schemas/{name}" for name in repo_schemas()} <= names
    # Only the package and its metadata: no tests, fixtures or top-level files.
    tops = {name.split("/")[0] for name in names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"agent_lint"}


def test_wheel_declares_the_console_script(wheel):
    (entry_points,) = [name for name in wheel.namelist() if name.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode("utf-8"))
    assert parser["console_scripts"]["agent-lint"] == "agent_lint.__main__:console"


def test_wheel_ships_the_reference_system_document(wheel):
    from agent_lint.resources import reference_system_document

    shipped = wheel.read("agent_lint/data/AGENT-SYSTEM.md").decode("utf-8")
    assert shipped == (CHECKOUT / "AGENT-SYSTEM.md").read_text(encoding="utf-8") == reference_system_document()
