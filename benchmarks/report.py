"""Ratios, growth across scales, and the printed table.

Every ratio divides two medians measured in the same benchmark run, of
commands run in alternated rounds, so the machine cancels out; absolute
milliseconds only compare within one machine. Each ratio is given for wall
time and for CPU time: on a machine others share, wall time moves with
their load (the load average is printed with each tree), CPU time much less.
A command of several processes (agent-lint's workers on a large tree)
spends more CPU time than wall time; the floor is one process.
"""

from __future__ import annotations

ROWS = (
    ("import", "python -c 'import markdown_it'"),
    ("floor", "floor: read + parse (process)"),
    ("floor-parse", "floor: read + parse (in-process)"),
    ("cold", "agent-lint check, cold"),
    ("warm", "agent-lint check, warm"),
    ("touched", "agent-lint check, 1 log touched"),
    ("edited", "agent-lint check, 1 record edited"),
    ("one-log-alone", "that log alone, no cache"),
    ("one-log-alone-warm", "that log alone, warm"),
    ("one-file", "agent-lint check <one log>"),
    ("one-file-warm", "agent-lint check <one log>, warm"),
    ("one-file-touched", "agent-lint check <one log>, touched"),
    ("markdownlint-cli2", "markdownlint-cli2 (Markdown only)"),
    ("pymarkdown", "pymarkdown scan -r (Markdown only)"),
)

# name -> (numerator, denominator)
RATIOS = {
    "cold/floor": ("cold", "floor"),
    "warm/cold": ("warm", "cold"),
    "touched/warm": ("touched", "warm"),
    "edited/warm": ("edited", "warm"),
    "one-file/import": ("one-file", "import"),
    "one-file-warm/import": ("one-file-warm", "import"),
    "one-file-touched/import": ("one-file-touched", "import"),
}


def _usable(entry: dict | None, metric: str) -> bool:
    return bool(entry) and "error" not in entry and bool(entry.get(metric))


def _divide(results: dict, top: str, bottom: str, metric: str) -> float | None:
    a, b = results.get(top), results.get(bottom)
    if not (_usable(a, metric) and _usable(b, metric)):
        return None
    return round(a[metric] / b[metric], 3)


# name -> ((a, b), (c, d)): (a - b) / (c - d). What one touched log adds to a warm run,
# against what checking that log costs beyond a run with nothing to do.
DIFFERENCES = {
    "touched-warm/alone": (("touched", "warm"), ("one-log-alone", "one-log-alone-warm")),
    "edited-warm/alone": (("edited", "warm"), ("one-log-alone", "one-log-alone-warm")),
}


def _difference(results: dict, top: tuple[str, str], bottom: tuple[str, str], metric: str) -> float | None:
    names = (*top, *bottom)
    if not all(_usable(results.get(name), metric) for name in names):
        return None
    a, b, c, d = (results[name][metric] for name in names)
    return round((a - b) / (c - d), 3) if c > d else None


def ratios(results: dict) -> dict:
    out = {}
    for name, (top, bottom) in RATIOS.items():
        if top not in results and (name.startswith("one-file-") or name.startswith("edited")):
            continue
        entry = {"wall": _divide(results, top, bottom, "wall_ms"), "cpu": _divide(results, top, bottom, "cpu_ms")}
        notes = {results.get(k, {}).get("note") for k in (top, bottom)} - {None}
        if notes:
            entry["note"] = "; ".join(sorted(notes))
        out[name] = entry
    for name, (top, bottom) in DIFFERENCES.items():
        if all(key in results for key in (*top, *bottom)):
            out[name] = {"wall": _difference(results, top, bottom, "wall_ms"),
                         "cpu": _difference(results, top, bottom, "cpu_ms")}
    return out


def history_ratios(results: dict) -> dict:
    """The gate against ``git log`` of the same range: the whole run, and its AL4xx stage alone."""
    out = {"gate/git-log": {metric: _divide(results, "gate", "git-log", f"{metric}_ms") for metric in ("wall", "cpu")}}
    stage = {}
    for metric in ("wall", "cpu"):
        key = f"{metric}_ms"
        if all(_usable(results.get(name), key) for name in ("gate", "gate-no-history", "git-log")):
            spent = results["gate"][key] - results["gate-no-history"][key]
            stage[metric] = round(spent / results["git-log"][key], 3)
        else:
            stage[metric] = None
    out["stage/git-log"] = stage
    return out


HISTORY_ROWS = (
    ("git-log", "git log --name-status of the range"),
    ("gate", "agent-lint check --since --select AL4"),
    ("gate-no-history", "the same without --since"),
)


def history_table(run: dict) -> list[str]:
    lines = [f"pull request of {run['commits']:,} commits ({run['merges']:,} merges, {run['logs']:,} session logs)"]
    lines.append(f"  {'measurement':<38}{'wall ms':>10}{'cpu ms':>10}{'peak MB':>9}")
    for key, label in HISTORY_ROWS:
        entry = run["measurements"].get(key)
        if entry is None:
            continue
        if "error" in entry:
            lines.append(f"  {label:<38}{'failed':>10}  {entry['error']}")
            continue
        lines.append(f"  {label:<38}{_num(entry['wall_ms']):>10}{_num(entry['cpu_ms']):>10}"
                     f"{_num(entry.get('peak_mb')):>9}")
    lines += ratio_lines(run["ratios"])
    if len(lines) > 2:
        lines.append("  (stage: the run's time with --since minus without)")
    return lines


def growth(trees: list[dict]) -> dict | None:
    """Per-file cost and peak memory at each synthetic scale, and how they grow."""
    scaled = sorted((t for t in trees if t["scale"] is not None), key=lambda t: t["scale"])
    if not scaled:
        return None

    def per_file(tree: dict, name: str, metric: str) -> float | None:
        entry = tree["measurements"].get(name)
        if not _usable(entry, metric) or not tree["files"]:
            return None
        return round(entry[metric] / tree["files"], 4)

    def peak(tree: dict, name: str) -> float | None:
        entry = tree["measurements"].get(name)
        return entry["peak_mb"] if _usable(entry, "peak_mb") else None

    series = {
        "cold_ms_per_file": [per_file(t, "cold", "wall_ms") for t in scaled],
        "cold_cpu_ms_per_file": [per_file(t, "cold", "cpu_ms") for t in scaled],
        "warm_ms_per_file": [per_file(t, "warm", "wall_ms") for t in scaled],
        "floor_ms_per_file": [per_file(t, "floor", "wall_ms") for t in scaled],
        "floor_parse_ms_per_file": [per_file(t, "floor-parse", "wall_ms") for t in scaled],
        "cold_peak_mb": [peak(t, "cold") for t in scaled],
        "warm_peak_mb": [peak(t, "warm") for t in scaled],
        "one_file_touched_peak_mb": [peak(t, "one-file-touched") for t in scaled],
        "floor_peak_mb": [peak(t, "floor") for t in scaled],
    }
    first, last = scaled[0], scaled[-1]
    label = f"{last['scale']:g}x/{first['scale']:g}x"
    out: dict = {
        "scales": [t["scale"] for t in scaled],
        "files": [t["files"] for t in scaled],
        **series,
        "per_file_ratio_label": label,
        "per_file_ratio": {},
        "marginal_ms_per_file": {},
    }
    for key, values in series.items():
        if len(values) > 1 and values[0] and values[-1]:
            out["per_file_ratio"][key] = round(values[-1] / values[0], 3)
    # Per-file time at one scale includes the fixed start-up cost; the cost of
    # one more file is the slope between the smallest and largest tree.
    extra_files = last["files"] - first["files"]
    for name in ("cold", "warm", "floor", "floor-parse"):
        a, b = first["measurements"].get(name), last["measurements"].get(name)
        if extra_files > 0 and _usable(a, "wall_ms") and _usable(b, "wall_ms"):
            out["marginal_ms_per_file"][name] = round((b["wall_ms"] - a["wall_ms"]) / extra_files, 4)
    return out


# ----------------------------------------------------------------------------
# Text


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _loads(values: list[float] | None) -> str:
    return "-" if not values else " ".join(f"{v:.2f}" for v in values)


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def tree_table(tree: dict) -> list[str]:
    results = tree["measurements"]
    head = (f"{tree['name']}: {tree['files']:,} files ({tree['json']:,} JSON, {tree['markdown']:,} Markdown, "
            f"{tree['bytes'] / 1e6:.1f} MB), config: {tree['config']}")
    lines = [head]
    load = tree.get("load_average") or {}
    if load.get("before") is not None:
        lines.append(f"  load average (1, 5, 15 min) before {_loads(load['before'])}, after {_loads(load['after'])};"
                     f" median of {tree.get('runs', '?')} alternated rounds after {tree.get('warmup', '?')} warm-up")
    lines += [f"  note: {note}" for note in tree["notes"]]
    lines.append(f"  {'measurement':<38}{'wall ms':>10}{'cpu ms':>10}{'peak MB':>9}{'ms/file':>9}  note")
    for key, label in ROWS:
        entry = results.get(key)
        if entry is None:
            continue
        if "error" in entry:
            lines.append(f"  {label:<38}{'failed':>10}  {entry['error']}")
            continue
        files = entry.get("files", tree["files"])
        per_file = entry["wall_ms"] / files if files else None
        lines.append(
            f"  {label:<38}{_num(entry['wall_ms']):>10}{_num(entry['cpu_ms']):>10}"
            f"{_num(entry.get('peak_mb')):>9}{_num(per_file, 3):>9}  {entry.get('note', '')}".rstrip()
        )
    lines += ratio_lines(tree["ratios"])
    return lines


def ratio_lines(ratios: dict) -> list[str]:
    """The ratios, one a line: wall and CPU side by side."""
    shown = [(name, value) for name, value in ratios.items() if value["wall"] is not None or value["cpu"] is not None]
    if not shown:
        return []
    lines = [f"  {'ratio':<38}{'wall':>10}{'cpu':>10}"]
    lines += [f"  {name:<38}{_times(value['wall']):>10}{_times(value['cpu']):>10}  {value.get('note', '')}".rstrip()
              for name, value in shown]
    return lines


def growth_table(data: dict) -> list[str]:
    scales = [f"{s:g}x" for s in data["scales"]]
    several = len(scales) > 1
    lines = ["growth across synthetic scales (ms per file should stay flat)"]
    lines.append(f"  {'':<26}" + "".join(f"{s:>11}" for s in scales)
                 + (f"{data['per_file_ratio_label']:>11}" if several else ""))
    lines.append(f"  {'files':<26}" + "".join(f"{n:>11,}" for n in data["files"]))
    labels = {
        "cold_ms_per_file": "cold ms/file",
        "cold_cpu_ms_per_file": "cold cpu ms/file",
        "warm_ms_per_file": "warm ms/file",
        "floor_ms_per_file": "floor ms/file",
        "floor_parse_ms_per_file": "floor parse ms/file",
        "cold_peak_mb": "cold peak MB",
        "warm_peak_mb": "warm peak MB",
        "one_file_touched_peak_mb": "one file touched peak MB",
        "floor_peak_mb": "floor peak MB",
    }
    for key, label in labels.items():
        values = data[key]
        if not any(v is not None for v in values):
            continue
        digits = 1 if key.endswith("_mb") else 3
        ratio = data["per_file_ratio"].get(key)
        lines.append(f"  {label:<26}" + "".join(f"{_num(v, digits):>11}" for v in values)
                     + (f"{_times(ratio):>11}" if several else ""))
    if data["marginal_ms_per_file"]:
        marginal = ", ".join(f"{k} {v:.3f}" for k, v in data["marginal_ms_per_file"].items())
        lines.append(f"  marginal ms per added file: {marginal}")
    return lines


def render(result: dict) -> str:
    info, tool = result["machine"], result["agent_lint"]
    commit = (tool["commit"] or "unknown")[:10] + (" (dirty)" if tool["dirty"] else "")
    lines = [
        f"agent-lint {tool['version']} at {commit}; cache: {tool['cache']}; phases: {tool['phases']}",
        f"python {info['python']} on {info['platform']}, {info['cpu_count']} CPUs; "
        f"median of {result['settings']['runs']} runs after {result['settings']['warmup']} warm-up",
        f"load average (1, 5, 15 min) at the start {_loads(info.get('load_average'))},"
        f" at the end {_loads(info.get('load_average_end'))}",
        "",
    ]
    for note in result["notes"]:
        lines.append(f"note: {note}")
    for tree in result["corpora"]:
        lines += tree_table(tree) + [""]
    for run in result.get("history", []):
        lines += history_table(run) + [""]
    if result["growth"]:
        lines += growth_table(result["growth"])
    return "\n".join(lines).rstrip() + "\n"
