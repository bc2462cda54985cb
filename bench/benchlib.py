"""Shared plumbing for the benchmarks: result rows, percentiles, tables, machine facts.

Every benchmark is a script (`python bench/<name>.py`) that measures a figure and a baseline
in the same run, prints a short table and, with `--json FILE`, writes its rows for
`bench/run_all.py` to combine. Nothing here does any work at import time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


@dataclass(frozen=True)
class Row:
    """One line of a results table: a figure, its same-run baseline, the ratio, the goal."""

    bench: str
    metric: str
    figure: float
    unit: str
    baseline: float | None = None
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.figure / self.baseline

    def cells(self) -> list[str]:
        ratio = self.ratio
        return [
            self.bench,
            self.metric,
            f"{fmt(self.figure)} {self.unit}",
            "—" if self.baseline is None else f"{fmt(self.baseline)} {self.unit}",
            "—" if ratio is None else f"{ratio:.2f}×",
            self.goal or "—",
            {True: "yes", False: "NO", None: "—"}[self.met],
        ]

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["ratio"] = self.ratio
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Row:
        fields = {k: v for k, v in data.items() if k != "ratio"}
        return cls(**fields)  # type: ignore[arg-type]


HEADERS = ["benchmark", "metric", "figure", "baseline (same run)", "ratio", "goal", "met?"]


def fmt(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def percentile(samples: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100), linear between closest ranks (numpy's default)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def text_table(rows: Iterable[Sequence[str]], headers: Sequence[str]) -> str:
    body = [list(headers), *(list(r) for r in rows)]
    widths = [max(len(r[i]) for r in body) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: Iterable[Sequence[str]], headers: Sequence[str]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(headers), line(["---"] * len(headers)), *(line(r) for r in rows)])


def results_table(rows: Sequence[Row]) -> str:
    return text_table((r.cells() for r in rows), HEADERS)


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", type=Path, help="also write the result rows to this file")
    parser.add_argument("--quick", action="store_true",
                        help="a few iterations only: checks the benchmark runs, not its figures")
    return parser


def report(rows: Sequence[Row], json_path: Path | None, extra: Sequence[str] = ()) -> None:
    """Print the table (and any notes); write the rows as JSON when asked."""
    print(results_table(rows))
    for line in extra:
        print(line)
    if json_path is not None:
        payload = {"rows": [r.to_json() for r in rows], "notes": list(extra)}
        json_path.write_text(json.dumps(payload, indent=2), encoding="utf-8")


def offscreen_env(scratch: Path | None = None) -> dict[str, str]:
    """The environment for a child process: offscreen Qt, the repo importable.

    With `scratch` (a directory the caller deletes), the child's temporary files go there
    (TMPDIR) and so does its bytecode cache (PYTHONPYCACHEPREFIX, with writing allowed even
    if PYTHONDONTWRITEBYTECODE is set), so a benchmark leaves nothing behind in the tree or
    in /tmp, and a started process reads compiled bytecode as an installed device would.
    """
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONHASHSEED", "0")
    if scratch is not None:
        tmp = scratch / "tmp"
        tmp.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmp)
        env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def use_repo_imports() -> None:
    """Make `tests.kiosk_fixtures` importable when run as `python bench/<name>.py`."""
    if str(REPO) not in sys.path:
        sys.path.insert(1, str(REPO))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_bytes() -> int:
    """Resident set size of this process, from /proc/self/status (VmRSS, in kB)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip() if ":" in line else line[len(prefix):]
    except OSError:
        pass
    return "unknown"


def filesystem(path: Path) -> str:
    """The mount type holding `path` (fsync cost depends on it), from /proc/mounts."""
    best, kind = "", "unknown"
    try:
        resolved = str(path.resolve())
        for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 3 and resolved.startswith(parts[1]) and len(parts[1]) > len(best):
                best, kind = parts[1], f"{parts[2]} ({parts[0]} on {parts[1]})"
    except OSError:
        pass
    return kind


def _distribution(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import tempfile

    pyside = "not installed"
    try:
        from PySide6 import QtCore

        pyside = f"PySide6-Essentials {_distribution('PySide6-Essentials')} (Qt {QtCore.qVersion()})"
        import PySide6

        if getattr(PySide6, "__file__", None) is None:
            pyside += "; PySide6/__init__.py is missing from this environment"
    except ImportError:
        pass
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    ram = f"{int(mem_kb) / MIB:.1f} GiB" if mem_kb.isdigit() else "unknown"
    os_name = _first("/etc/os-release", "PRETTY_NAME=").strip('"')
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": str(affinity),
        "CPU": _first("/proc/cpuinfo", "model name"),
        "RAM": ram,
        "OS": f"{os_name}, kernel {platform.release()}",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "PySide6": pyside,
        "Qt platform": "offscreen (QT_QPA_PLATFORM=offscreen)",
        "temp dir filesystem": filesystem(Path(tempfile.gettempdir())),
    }
