"""Spawn one command, wait for it, print its wall time and rusage as JSON.

Why a separate process: on Linux a child's max RSS starts at its parent's
high-water mark (vfork and exec carry it over), so a command spawned by the
benchmark itself, which holds generated trees and agent-lint's modules,
would report at least the benchmark's own peak memory. This launcher is a
bare interpreter that does nothing else, well below anything it measures.

    python launcher.py CWD STDOUT STDERR COMMAND...

STDOUT and STDERR are files for the command's output. Prints one line:
``{"wall_ms", "cpu_ms", "maxrss_kb", "returncode"}``, or ``{"error"}`` when
the command cannot be started.
"""

import json
import os
import sys
import time


def main() -> int:
    cwd, out, err, *argv = sys.argv[1:]
    create = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out, create, 0o600),
        (os.POSIX_SPAWN_OPEN, 2, err, create, 0o600),
    ]
    try:
        os.chdir(cwd)
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    except OSError as error:
        print(json.dumps({"error": f"cannot run {argv[0]}: {error.strerror or error}"}))
        return 0
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    maxrss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss  # bytes on macOS
    print(json.dumps({
        "wall_ms": wall * 1000,
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
        "maxrss_kb": maxrss,
        "returncode": os.waitstatus_to_exitcode(status),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
