"""Benchmark 9: the provisioning agent's refresh, against a repository served on loopback.

A repository made with the real tooling (root 2 of 3, a council delegation, a profile and a
sealed secrets document) is served by a stdlib HTTP server in its own process on 127.0.0.1;
a terminal is enrolled in a temporary state folder and has applied the first profile.

- Refresh, no change: `Agent(state).refresh()` when nothing was published since the last
  one (what the 5-minute timer does almost every time): TUF refresh of timestamp (and only
  timestamp, when it did not change), lookup of the two targets, result.json written with
  fsync. Baseline, alternating with it: a bare HTTP GET of `timestamp.json` on a new urllib3
  pool (one round trip, nothing verified or written).
- Verify + stage, changed profile: a new profile version is published (not timed), then
  the refresh is timed: new timestamp, snapshot and council metadata verified and fsynced,
  the profile and secrets downloaded and verified, the secrets opened, the profile validated
  completely, the version staged with fsync and marked pending. Baseline: `load_profile` of
  the same profile alone (the validation every start does anyway).
- As a process: `kiosk provision refresh` with no change, the way the timer runs it (new
  interpreter, imports included). Baseline: `python -c pass` in the same environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import REPO, Row, arguments, filesystem, median, percentile, report, use_repo_imports

GOAL_NO_CHANGE_MS = 200.0


def main() -> int:
    options = arguments(__doc__ or "").parse_args()
    quick = options.quick
    use_repo_imports()
    import urllib3

    from kiosk.profile import load_profile
    from provisioning import admin
    from provisioning.agent import Agent, profile_store
    from provisioning.device_cli import enrol
    from tests.provisioning.world import COUNCIL, DEVICE, SITE, make_world

    no_change_ms: list[float] = []
    get_ms: list[float] = []
    stage_ms: list[float] = []
    validate_ms: list[float] = []
    process_ms: list[float] = []
    python_ms: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-provision-") as tmp:
        world = make_world(Path(tmp) / "world", publish=False, enrolled=False)
        world.server.stop()
        server = subprocess.Popen([sys.executable, "-m", "tests.provisioning.serve", str(world.repo.public)],
                                  stdout=subprocess.PIPE, text=True, cwd=REPO,
                                  env={**os.environ, "PYTHONPATH": str(REPO)})
        try:
            assert server.stdout is not None
            url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
            bundle = admin.enrol_device(world.repo, SITE, COUNCIL, DEVICE, url)
            (world.tmp / "bundle.json").write_text(json.dumps(bundle))
            admin.register_device(world.repo, DEVICE, enrol(world.tmp / "bundle.json", world.state))
            admin.publish_secrets(world.repo, DEVICE, world.secrets)
            world.publish("v1", services=["missed-bin", "street-problem"])
            store = profile_store(world.state)
            if Agent(world.state).refresh().status != "ok":
                raise RuntimeError("the first refresh failed")
            store.bless()

            for i in range(10 if quick else 110):  # 10 warm-up
                started = time.perf_counter()
                outcome = Agent(world.state).refresh()
                done = time.perf_counter()
                if outcome.reason != f"up to date ({store.current_name()})":
                    raise RuntimeError(f"expected no change, got {outcome}")
                pool = urllib3.PoolManager()
                get_started = time.perf_counter()
                body = pool.request("GET", f"{url}/metadata/timestamp.json").data
                get_done = time.perf_counter()
                pool.clear()
                if not body:
                    raise RuntimeError("empty timestamp")
                if i >= 10 or quick:
                    no_change_ms.append((done - started) * 1000)
                    get_ms.append((get_done - get_started) * 1000)

            services = [["feedback"], ["missed-bin"], ["street-problem", "feedback"]]
            for i in range(3 if quick else 20):
                world.publish(f"v{i + 2}", services=services[i % 3])
                started = time.perf_counter()
                outcome = Agent(world.state).refresh()
                done = time.perf_counter()
                if not outcome.reason.startswith("staged"):
                    raise RuntimeError(f"expected a staged version, got {outcome}")
                folder = store.versions / (store.pending() or "")
                check_started = time.perf_counter()
                load_profile(folder / "profile.yaml", secrets=world.secrets)
                check_done = time.perf_counter()
                store.apply_pending()
                store.bless()
                stage_ms.append((done - started) * 1000)
                validate_ms.append((check_done - check_started) * 1000)

            env = {**os.environ, "PYTHONPATH": str(REPO)}
            command = [sys.executable, "-m", "kiosk.cli", "provision", "refresh", "--state-dir",
                       str(world.state)]
            for _ in range(2 if quick else 7):
                started = time.perf_counter()
                subprocess.run(command, env=env, check=True, capture_output=True)
                process_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
                python_ms.append((time.perf_counter() - started) * 1000)
            disk = filesystem(world.state)
        finally:
            server.terminate()
            server.wait(10)
            world.server.stop()
            shutil.rmtree(world.tmp, ignore_errors=True)

    p95 = percentile(no_change_ms, 95)
    rows = [
        Row("provision refresh", f"no change, p50 over {len(no_change_ms)}", percentile(no_change_ms, 50),
            "ms", percentile(get_ms, 50)),
        Row("provision refresh", f"no change, p95 over {len(no_change_ms)}", p95, "ms",
            percentile(get_ms, 95), goal=f"≤ {GOAL_NO_CHANGE_MS:.0f} ms", met=p95 <= GOAL_NO_CHANGE_MS),
        Row("provision refresh", f"verify + stage a changed profile, median of {len(stage_ms)}",
            median(stage_ms), "ms", median(validate_ms)),
        Row("provision refresh", f"no change as a process (kiosk provision refresh), median of "
            f"{len(process_ms)}", median(process_ms), "ms", median(python_ms)),
    ]
    notes = [
        "baselines: a bare HTTP GET of timestamp.json (no change); load_profile of the same "
        "profile alone (verify + stage); `python -c pass` (as a process)",
        f"max: no change {max(no_change_ms):.1f} ms, verify + stage {max(stage_ms):.1f} ms; "
        f"state on {disk}",
    ]
    report(rows, options.json, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
