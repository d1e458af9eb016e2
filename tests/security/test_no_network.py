"""A team schema never reaches the network: a loopback server counts the requests agent-lint makes.

Every kind of reference a schema can hold points at the server; each run
must end in a config error naming the schema (exit 2), with the server
having seen nothing.
"""

from __future__ import annotations

import http.server
import json
import threading

import pytest
from attack import agent_lint, no_traceback


@pytest.fixture(scope="module")
def server():
    """A loopback HTTP server answering every GET with a schema, and counting them."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            seen.append(self.path)
            body = json.dumps({"type": "object"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/schema+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", seen
    httpd.shutdown()


def cases(url: str) -> dict[str, dict]:
    return {
        "$schema": {"$schema": f"{url}/meta", "type": "object"},
        "$ref": {"type": "object", "properties": {"id": {"$ref": f"{url}/ref.json"}}},
        "$dynamicRef": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                        "properties": {"id": {"$dynamicRef": f"{url}/dynamic.json#meta"}}},
        "$recursiveRef": {"$schema": "https://json-schema.org/draft/2019-09/schema", "type": "object",
                          "properties": {"id": {"$recursiveRef": f"{url}/recursive.json"}}},
        "$id": {"$id": f"{url}/schemas/root.json", "type": "object", "properties": {"id": {"$ref": "other.json"}}},
        "$ref under a property named enum": {"type": "object", "properties": {"enum": {"$ref": f"{url}/enum.json"}}},
        "$ref under a property named const": {"type": "object", "properties": {"const": {"$ref": f"{url}/const.json"}}},
        "$ref in a sibling file": {"type": "object", "properties": {"id": {"$ref": "sibling.json"}}},
    }


KINDS = list(cases("http://x"))


@pytest.mark.parametrize("kind", KINDS)
def test_no_reference_reaches_the_network(server, kind, hostile, user_cache):
    url, seen = server
    schemas = hostile / "schemas"
    schemas.mkdir()
    (schemas / "session.json").write_text(json.dumps(cases(url)[kind]), encoding="utf-8")
    (schemas / "sibling.json").write_text(json.dumps({"$ref": f"{url}/from-sibling.json"}), encoding="utf-8")
    (hostile / ".agent-lint.toml").write_text('session-log-schema = "schemas/session.json"\n', encoding="utf-8")
    before = len(seen)
    run = agent_lint("check", "--no-cache", cwd=hostile, cache=user_cache)
    no_traceback(run)
    assert len(seen) == before, f"{kind}: {seen[before:]}"
    assert run.code == 2 and run.stdout == "", run.stdout + run.stderr
    assert run.stderr.count("\n") == 1 and "schemas/session.json" in run.stderr
    assert "outside the schema's folder" in run.stderr or "is not a JSON Schema draft agent-lint knows" in run.stderr


def test_a_data_value_that_looks_like_a_reference_is_data(server, hostile, user_cache):
    # "$ref" inside const is a value to compare with, not a reference: nothing to resolve or fetch.
    url, seen = server
    (hostile / "schemas").mkdir()
    schema = {"type": "object", "properties": {"marker": {"const": {"$ref": f"{url}/not-a-reference"}}}}
    (hostile / "schemas" / "session.json").write_text(json.dumps(schema), encoding="utf-8")
    (hostile / ".agent-lint.toml").write_text('session-log-schema = "schemas/session.json"\n', encoding="utf-8")
    before = len(seen)
    run = agent_lint("check", "--no-cache", cwd=hostile, cache=user_cache)
    assert run.code == 0 and len(seen) == before, run.stdout + run.stderr
