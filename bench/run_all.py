"""Run every benchmark, each in its own process, and print one combined table.

    python bench/run_all.py                      # all of them, about 4 minutes on 2 cores
    python bench/run_all.py --only tap_latency   # some of them (comma-separated)
    python bench/run_all.py --quick              # a smoke run: checks they work, not figures
    python bench/run_all.py --markdown out.md    # also write the results as markdown

Each benchmark runs as `python bench/<name>.py --json FILE` in a fresh interpreter (so a cold
start is really a new process and one benchmark's caches and heap never flatter another's),
with offscreen Qt and its TMPDIR in a scratch directory deleted afterwards. Its own output is
shown as it runs; the combined table and the machine follow. The exit status is 0 when
every benchmark ran (goals missed or not: speed is measured, not asserted), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchlib import HEADERS, Row, machine, markdown_table, offscreen_env, results_table

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("cold_start", "tap_latency", "wipe_time", "memory_growth", "outbox_enqueue",
              "theme_switch", "speech_latency", "receipt_build", "card_to_panel", "send_to_sent",
              "hub_post_requests", "heartbeat_ingest", "provision_refresh", "profile_apply",
              "outbox_backlog", "call_times", "usage_events")


def _load() -> str:
    """Other work on the machine skews the figures; say how much there was."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def run_one(name: str, quick: bool, scratch: Path) -> tuple[list[Row], list[str], float, str]:
    """Rows, notes, wall seconds and an error message ("" when it ran)."""
    out = scratch / f"{name}.json"
    work = scratch / name
    work.mkdir()
    command = [sys.executable, str(HERE / f"{name}.py"), "--json", str(out)]
    if quick:
        command.append("--quick")
    env = offscreen_env()
    env["TMPDIR"] = str(work)
    started = time.perf_counter()
    print(f"\n== {name}", flush=True)
    finished = subprocess.run(command, env=env, check=False)
    seconds = time.perf_counter() - started
    if finished.returncode != 0 or not out.exists():
        return [], [], seconds, f"{name} failed with exit status {finished.returncode}"
    payload = json.loads(out.read_text(encoding="utf-8"))
    rows = [Row.from_json(r) for r in payload["rows"]]
    return rows, [str(n) for n in payload.get("notes", [])], seconds, ""


def markdown(rows: list[Row], notes: dict[str, list[str]], facts: dict[str, str],
             seconds: dict[str, float], errors: list[str]) -> str:
    lines = [
        f"Measured {date.today().isoformat()} with `script/bench` "
        f"({sum(seconds.values()):.0f} s in all).",
        "",
        markdown_table((r.cells() for r in rows), HEADERS),
        "",
        markdown_table(([k, v] for k, v in facts.items()), ["machine", ""]),
    ]
    for name, lines_of in notes.items():
        if lines_of:
            lines += ["", f"`{name}` ({seconds[name]:.0f} s):", "", "```",
                      *lines_of, "```"]
    if errors:
        lines += ["", "Failed:", "", *(f"- {e}" for e in errors)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated benchmark names: " + ", ".join(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="few iterations: a smoke run")
    parser.add_argument("--markdown", type=Path, help="also write the results here as markdown")
    options = parser.parse_args()
    names = list(BENCHMARKS)
    if options.only:
        names = [n.strip() for n in options.only.split(",") if n.strip()]
        unknown = sorted(set(names) - set(BENCHMARKS))
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    rows: list[Row] = []
    notes: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    errors: list[str] = []
    load_before = _load()
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        for name in names:
            got, said, took, error = run_one(name, options.quick, Path(tmp))
            rows += got
            notes[name] = said
            seconds[name] = took
            if error:
                errors.append(error)
    facts = machine()
    facts["load average (1/5/15 min)"] = f"{load_before} before, {_load()} after"

    print("\n== all benchmarks" + (" (--quick: not real figures)" if options.quick else ""))
    print(results_table(rows))
    for key, value in facts.items():
        print(f"{key}: {value}")
    print(f"total {sum(seconds.values()):.0f} s: "
          + ", ".join(f"{n} {s:.0f} s" for n, s in seconds.items()))
    for error in errors:
        print(f"FAILED: {error}")
    if options.markdown is not None:
        options.markdown.write_text(markdown(rows, notes, facts, seconds, errors),
                                    encoding="utf-8")
        print(f"markdown written to {options.markdown}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
