"""The floor: the least work any checker of these files has to do, in one process.

Run by the benchmark as a child process (``python floor.py LIST``), so it is
measured exactly like agent-lint. LIST holds one absolute path a line: the
documents agent-lint checks, as agent-lint itself discovered them. Each is
read, decoded, and parsed, Markdown with agent-lint's own markdown-it
configuration and JSON with ``json.loads``; nothing is kept. Prints one JSON
line with the in-process times of that loop, imports excluded.
"""

from __future__ import annotations

import json
import sys
import time


def main(list_path: str) -> int:
    started = time.perf_counter()
    from agent_lint.document import markdown_parser

    parser = markdown_parser()
    with open(list_path, encoding="utf-8") as handle:
        paths = handle.read().splitlines()
    ready, ready_cpu = time.perf_counter(), time.process_time()

    counts = {"markdown": 0, "json": 0, "failed": 0}
    spent = {"markdown": 0.0, "json": 0.0, "failed": 0.0}
    clock = time.perf_counter
    for path in paths:
        began = clock()
        kind = "json" if path.lower().endswith(".json") else "markdown"
        try:
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8-sig")
            if kind == "json":
                json.loads(text)
            else:
                parser.parse(text)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            # agent-lint reports these files without parsing them; so does the floor.
            kind = "failed"
        counts[kind] += 1
        spent[kind] += clock() - began
    done, done_cpu = time.perf_counter(), time.process_time()

    print(json.dumps({
        **counts,
        "setup_ms": (ready - started) * 1000,
        "parse_wall_ms": (done - ready) * 1000,
        "parse_cpu_ms": (done_cpu - ready_cpu) * 1000,
        "markdown_ms": spent["markdown"] * 1000,
        "json_ms": spent["json"] * 1000,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
