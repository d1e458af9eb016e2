"""Extractors turn parsed documents into records.

An extractor is a pure function from a parsed document (see
:mod:`agent_lint.document`) to a small frozen record that keeps the
positions of everything it found. Rules check records; they never re-parse
Markdown. A record that several rules need is extracted once per run through
:meth:`agent_lint.project.Project.record`.
"""
