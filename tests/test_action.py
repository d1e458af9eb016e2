"""The GitHub Action and the workflows agent-lint ships: valid under GitHub's own schemas, pinned
alike in README and init, and the Action's dependency pins complete."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from agent_lint.init import hook_entry, workflow

CHECKOUT = Path(__file__).resolve().parents[1]
README = (CHECKOUT / "README.md").read_text(encoding="utf-8")


def readme_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, re.S | re.M)


def readme_workflows() -> list[str]:
    return [block for block in readme_blocks("yaml") if "jobs:" in block]


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is not installed (pip install '.[test]')")
    # Offline: a proxy on a closed port makes any attempt to fetch a schema fail loudly.
    env = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "NO_PROXY": "", "XDG_CACHE_HOME": str(files[0].parent / "cache")}
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                           "--no-cache", *map(str, files)],
                          capture_output=True, text=True, env=env, timeout=300)


def test_action_yml_is_a_valid_action():
    result = check_jsonschema("vendor.github-actions", CHECKOUT / "action.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_workflow_shipped_is_a_valid_workflow(tmp_path):
    files = []
    for number, text in enumerate([workflow(), *readme_workflows()]):
        files.append(tmp_path / f"workflow-{number}.yml")
        files[-1].write_text(text, encoding="utf-8")
    assert len(files) >= 2
    result = check_jsonschema("vendor.github-workflows", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_workflow_is_caught(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(workflow().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"), encoding="utf-8")
    assert check_jsonschema("vendor.github-workflows", broken).returncode == 1


def test_readme_and_init_pin_the_same_way():
    (shown,) = readme_workflows()
    assert shown == workflow()
    pre_commit = next(block for block in readme_blocks("yaml") if "rev:" in block)
    assert yaml.safe_load(pre_commit) == yaml.safe_load("repos:\n" + hook_entry("  "))


def test_readme_workflow_has_what_sarif_upload_needs():
    flow = yaml.safe_load(workflow())
    assert flow["permissions"] == {"contents": "read", "actions": "read", "security-events": "write"}
    assert {"pull_request", "merge_group", "push"} <= set(flow[True] if True in flow else flow["on"])


def test_the_actions_pins_cover_every_dependency_within_the_projects_ranges():
    from wheelhouse import closure

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    dependencies = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    lines = (CHECKOUT / "action-constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            pin = Requirement(line)
            (version,) = [spec.version for spec in pin.specifier if spec.operator == "=="]
            pins[canonicalize_name(pin.name)] = version
    for text in dependencies:
        dependency = Requirement(text)
        name = canonicalize_name(dependency.name)
        assert name in pins, f"action-constraints.txt does not pin {name}"
        assert dependency.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {dependency}"
    # Whatever they pull in is pinned too (the versions installed here, which the tests ran with).
    installed = closure(dependencies)
    assert {name: dist.version for name, dist in installed.items()}.items() <= pins.items()
