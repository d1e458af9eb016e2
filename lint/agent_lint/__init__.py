"""agent-lint: lint the documents multi-agent coding workflows coordinate through."""

import os as _os
import sys as _sys

__version__ = "0.1.0"
DOCS_URL = "https://github.com/agent-lint/agent-lint/blob/main/README.md"

# Run as a program (``python -m agent_lint``, the ``agent-lint`` script), Ctrl-C ends the run
# with one line from the first module on, not with a traceback of whatever was being imported.
if _sys.argv[:1] == ["-m"] or _os.path.basename(_sys.argv[0] if _sys.argv else "").startswith("agent-lint"):
    from .guard import handle_signals

    handle_signals()
