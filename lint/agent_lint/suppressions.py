"""Inline suppression comments and which of them did any work.

    <!-- agent-lint-disable AL201 -->        until a matching enable (or the end)
    <!-- agent-lint-enable AL201 -->
    <!-- agent-lint-disable-next-line AL201 -->   the next non-blank line
    <!-- agent-lint-disable-file AL201 -->   the whole file

Codes or rule names, separated by spaces or commas; none means every rule.
"Next line" skips blank lines because formatters such as mdformat insert one
after an HTML comment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .document import MarkdownDocument, Suppression


@dataclass(frozen=True)
class Unused:
    """A suppression comment (or one code in it) that suppressed nothing."""

    suppression: Suppression
    code: str | None  # None: the comment names no code and suppressed nothing
    unknown: bool = False


@dataclass
class _Span:
    suppression: Suppression
    codes: frozenset[str] | None  # None: every rule
    first: int
    last: int


class Suppressions:
    def __init__(self, doc: MarkdownDocument, names: Mapping[str, str]):
        """``names`` maps every known rule name and code to its code."""
        self._names = names
        self._spans: list[_Span] = []
        self._used: set[tuple[int, str | None]] = set()
        self.unknown: list[Unused] = []
        end = doc.line_count + 1
        open_disables: list[_Span] = []
        for sup in doc.suppressions:
            codes = self._resolve(sup)
            if sup.action == "disable-file":
                self._spans.append(_Span(sup, codes, 1, end))
            elif sup.action == "disable-next-line":
                self._spans.append(_Span(sup, codes, sup.target, sup.target))
            elif sup.action == "disable":
                span = _Span(sup, codes, sup.line, end)
                open_disables.append(span)
                self._spans.append(span)
            elif sup.action == "enable":
                # A bare enable ends every open disable; "enable X" ends those naming X.
                for span in open_disables:
                    if span.last == end and (codes is None or (span.codes is not None and span.codes & codes)):
                        span.last = sup.line

    def _resolve(self, sup: Suppression) -> frozenset[str] | None:
        if not sup.codes:
            return None
        resolved = set()
        for code in sup.codes:
            known = self._names.get(code) or self._names.get(code.upper())
            if known is None:
                self.unknown.append(Unused(sup, code, unknown=True))
            else:
                resolved.add(known)
        return frozenset(resolved)

    def suppresses(self, code: str, line: int) -> bool:
        hit = False
        for index, span in enumerate(self._spans):
            if span.first <= line <= span.last and (span.codes is None or code in span.codes):
                self._used.add((index, None if span.codes is None else code))
                hit = True
        return hit

    def unused(self, active_codes: set[str]) -> list[Unused]:
        """Suppressions of rules that ran and found nothing there to suppress."""
        result = list(self.unknown)
        for index, span in enumerate(self._spans):
            if span.suppression.action == "enable":
                continue
            if span.codes is None:
                if (index, None) not in self._used:
                    result.append(Unused(span.suppression, None))
                continue
            for code in sorted(span.codes):
                if code in active_codes and (index, code) not in self._used:
                    result.append(Unused(span.suppression, code))
        return result
