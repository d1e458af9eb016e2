"""Inline suppression comments and which of them did any work.

    <!-- agent-lint-disable AL201 -->        until a matching enable (or the end)
    <!-- agent-lint-enable AL201 -->         (a bare enable ends every disable)
    <!-- agent-lint-disable-next-line AL201 -->   the next non-blank line
    <!-- agent-lint-disable-file AL201 -->   the whole file

Codes or rule names, separated by spaces or commas; none means every rule.
"Next line" skips blank lines because formatters such as mdformat insert one
after an HTML comment.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence

from .document import Suppression


class Unused(NamedTuple):
    """A suppression comment (or one code in it) that suppressed nothing."""

    suppression: Suppression
    code: str | None  # None: the comment names no code and suppressed nothing
    unknown: bool = False


class _Span:
    """The lines one suppression comment covers, and for which codes (None: every rule)."""

    __slots__ = ("suppression", "codes", "first", "last")

    def __init__(self, suppression: Suppression, codes: frozenset[str] | None, first: int, last: int):
        self.suppression, self.codes, self.first, self.last = suppression, codes, first, last


class Suppressions:
    def __init__(self, comments: Sequence[Suppression], lines: int, names: Mapping[str, str]):
        """The suppression comments of a document of ``lines`` lines; ``names`` maps every known rule
        name and code to its code."""
        self._names = names
        self._spans: list[_Span] = []
        self._codes: dict[Suppression, frozenset[str] | None] = {}
        self._used: set[tuple[Suppression, str | None]] = set()
        self.unknown: list[Unused] = []
        end = lines + 1
        open_disables: list[_Span] = []
        for sup in sorted(comments, key=lambda s: (s.line, s.column)):
            codes = self._codes[sup] = self._resolve(sup)
            if sup.action == "disable-file":
                self._spans.append(_Span(sup, codes, 1, end))
            elif sup.action == "disable-next-line":
                self._spans.append(_Span(sup, codes, sup.target, sup.target))
            elif sup.action == "disable":
                span = _Span(sup, codes, sup.line, end)
                open_disables.append(span)
                self._spans.append(span)
            elif sup.action == "enable":
                self._enable(sup, codes, open_disables, end)

    def _enable(self, sup: Suppression, codes: frozenset[str] | None, open_disables: list[_Span], end: int) -> None:
        """A bare enable ends every open disable; "enable X" ends X only.

        "disable A, B" then "enable A" keeps B disabled: the rest of that span
        goes on as a new span of the same comment.
        """
        for span in list(open_disables):
            if span.last != end or (codes is not None and (span.codes is None or not span.codes & codes)):
                continue
            span.last = sup.line
            rest = span.codes - codes if codes is not None and span.codes is not None else frozenset()
            if rest:
                tail = _Span(span.suppression, rest, sup.line + 1, end)
                open_disables.append(tail)
                self._spans.append(tail)

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
        for span in self._spans:
            if span.first <= line <= span.last and (span.codes is None or code in span.codes):
                self._used.add((span.suppression, None if span.codes is None else code))
                hit = True
        return hit

    def unused(self, active_codes: set[str]) -> list[Unused]:
        """Suppressions of rules that ran and found nothing there to suppress."""
        result = list(self.unknown)
        for sup, codes in self._codes.items():
            if sup.action == "enable":
                continue
            if codes is None:
                if (sup, None) not in self._used:
                    result.append(Unused(sup, None))
                continue
            for code in sorted(codes):
                if code in active_codes and (sup, code) not in self._used:
                    result.append(Unused(sup, code))
        return result
