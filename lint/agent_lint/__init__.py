"""agent-lint: lint the documents multi-agent coding workflows coordinate through."""

import os as _os
import sys as _sys


def _stopped(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM before the command line's own handlers (guard.py): one line, the shell's code."""
    _os.write(2, b"agent-lint: interrupted\n" if signum == 2 else b"agent-lint: terminated\n")
    _os._exit(128 + signum)


# Run as a program (``python -m agent_lint``, the ``agent-lint`` script), a signal ends the run with
# one line from this first line on, not with a traceback of whatever was being imported.
if _sys.argv[:1] == ["-m"] or _os.path.basename(_sys.argv[0] if _sys.argv else "").startswith("agent-lint"):
    import signal as _signals

    for _signum in (2, 15):  # SIGINT, SIGTERM; one ignored on entry (a background job's) stays ignored
        if _signals.getsignal(_signum) != _signals.SIG_IGN:
            _signals.signal(_signum, _stopped)

__version__ = "0.1.0"
DOCS_URL = "https://github.com/agent-lint/agent-lint/blob/main/README.md"
