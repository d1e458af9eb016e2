"""``agent-lint fmt``: canonical Markdown for agent documents (mdformat with GFM).

mdformat rewrites Markdown without changing what it renders to; the GFM
plugin keeps tables (aligned) and task lists (``- [x]``) intact, and
``**Key**: value`` lines stay lines. On top of mdformat's defaults:

* ordered lists keep consecutive numbers (``1. 2. 3.``, not ``1. 1. 1.``):
  steps in agent documents are quoted by number;
* YAML front matter is kept as written (mdformat alone would read it as a
  thematic break and a heading), followed by one blank line;
* a UTF-8 BOM and the file's dominant line ending (CRLF stays CRLF) are
  kept, and every line ends with it;
* the result must render to the same HTML as the input (whitespace aside),
  or the file is left as it was and reported.

JSON session logs are left alone: tools write them, and re-indenting them
would churn every diff for nothing a reader sees.

Files are rewritten atomically, with their mode kept, like ``check --fix``.
A file that cannot be read, is not UTF-8, or that mdformat cannot format is
reported in one line; the others are still formatted, and the exit code is 2.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence, TextIO

from .document import markdown_parser
from .files import Reader, TooLarge
from .edits import dominant_newline
from .fixer import BOM_BYTES, ChangedOnDisk, plural, write_atomic

EXIT_CLEAN, EXIT_CHANGES, EXIT_ERROR = 0, 1, 2
EXTENSIONS = ("gfm",)
OPTIONS = {"number": True, "wrap": "keep"}
_MARKDOWN = (".md", ".markdown")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class FormatError(Exception):
    """The file cannot be formatted safely; the message says why."""


@dataclass
class FmtOptions:
    paths: Sequence[Path] = ()
    check: bool = False  # report, write nothing
    config: Path | None = None
    cwd: Path | None = None


def _split_front_matter(text: str) -> tuple[str, str]:
    """(front matter as written, the Markdown after it) using the parser check uses."""
    if not text.startswith("---"):
        return "", text
    tokens = markdown_parser().parse(text)
    if not tokens or tokens[0].type != "front_matter" or tokens[0].map is None:
        return "", text
    lines = _LINE.findall(text)
    end = tokens[0].map[1]
    return "".join(lines[:end]), "".join(lines[end:])


@functools.lru_cache(maxsize=1)
def _html_parser() -> Any:
    from markdown_it import MarkdownIt
    import mdformat.plugins

    parser = MarkdownIt("commonmark")
    parser.options["parser_extension"] = []  # mdformat plugins register themselves here
    for name in EXTENSIONS:
        mdformat.plugins.PARSER_EXTENSIONS[name].update_mdit(parser)
    return parser


def rendered(markdown: str) -> str:
    """HTML of a Markdown text with the parser and plugins mdformat formats with."""
    return _html_parser().render(markdown)


def format_text(text: str) -> str:
    """The canonical form of a Markdown text (no BOM), in the text's own line endings."""
    import mdformat

    newline = dominant_newline(text)
    front, body = _split_front_matter(text)
    try:
        formatted = mdformat.text(body, extensions=EXTENSIONS, options=OPTIONS)
    except Exception as err:  # noqa: BLE001 - a plugin failing on odd input is one file's problem
        raise FormatError(f"mdformat failed: {type(err).__name__}: {err}") from None
    if _squeeze(rendered(body)) != _squeeze(rendered(formatted)):
        raise FormatError("formatting would change the rendered document; left unchanged")
    if front:
        if not front.endswith(("\n", "\r")):
            front += "\n"
        formatted = front + ("\n" + formatted if formatted else "")
    formatted = formatted.replace("\r\n", "\n").replace("\r", "\n")
    return formatted.replace("\n", newline) if newline != "\n" else formatted


def _squeeze(html: str) -> str:
    return " ".join(html.split())


def format_bytes(data: bytes) -> bytes:
    has_bom = data.startswith(BOM_BYTES)
    try:
        text = data[len(BOM_BYTES):].decode("utf-8") if has_bom else data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FormatError(f"not valid UTF-8 (byte 0x{err.object[err.start]:02x} at offset {err.start})") from None
    return (BOM_BYTES if has_bom else b"") + format_text(text).encode("utf-8")


def _targets(options: FmtOptions, cwd: Path) -> tuple[Path, list[str], int]:
    """(project root, root-relative Markdown documents to format, max file size)."""
    from .config import load_config
    from .files import discover, expand_targets
    from .rules import RULES

    config = load_config(RULES, cwd, options.config)
    known = discover(config)
    chosen = expand_targets(options.paths, config, known, False) if options.paths else known
    return config.root, sorted(p for p in chosen if p.lower().endswith(_MARKDOWN)), config.max_file_size


def run_fmt(options: FmtOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    cwd = (options.cwd or Path.cwd()).resolve()
    root, paths, max_size = _targets(options, cwd)

    def shown(path: str) -> str:
        return Path(os.path.relpath(root.resolve() / path, cwd)).as_posix()

    changed = failed = 0
    reader = Reader(root, max_size)  # inside the root only, as the check reads
    for path in paths:
        try:
            data = reader.read(path)
            if isinstance(data, OSError):
                raise data
            if isinstance(data, TooLarge):
                raise FormatError(f"file is {data.size:,} bytes, over the limit of {max_size:,}")
            formatted = format_bytes(data)
            if formatted == data:
                continue
            if not options.check:
                write_atomic(root / path, formatted, expected=data, root=root)
        except (FormatError, ChangedOnDisk, OSError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            if isinstance(error, ChangedOnDisk):
                reason = "changed on disk while it was being formatted; left unchanged"
            err.write(f"agent-lint: error: {shown(path)}: {reason}\n")
            failed += 1
            continue
        changed += 1
        out.write(f"{'would reformat' if options.check else 'reformatted'} {shown(path)}\n")

    unchanged = len(paths) - changed - failed
    verb = "would be reformatted" if options.check else "reformatted"
    summary = f"{plural(changed, 'file')} {verb}, {unchanged} already formatted"
    err.write(summary + (f", {failed} could not be formatted.\n" if failed else ".\n"))
    if failed:
        return EXIT_ERROR
    return EXIT_CHANGES if options.check and changed else EXIT_CLEAN

