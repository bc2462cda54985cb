"""SIGKILL the agent at random points of a refresh and of the apply that follows.

A forked child runs `refresh` then `apply_pending` (as the screen would between sessions);
the parent kills it after a random delay across the whole run. Each time the terminal must be
on a whole old (p1-s1) or whole new (p2-s2) profile, and the next refresh, run to the end,
must succeed and leave the new one ready to apply. Fork, not a new interpreter, so 200 kills
fit in the quick suite (1,000 under the soak marker, script/nightly).

The state lives on tmpfs when there is one: a process kill loses no written data whatever
the disk, so fsync's cost is no part of what this test proves (power loss is what fsync is
for; the fsync calls are checked in test_durability.py).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.profile_store import ProfileStore
from provisioning import admin
from provisioning.agent import Agent, profile_store
from tests.provisioning.world import DEVICE, make_world

OLD, NEW = "p1-s1", "p2-s2"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@dataclass
class Bench:
    template: Path
    work: Path
    whole: dict[str, dict[str, bytes]]
    run_seconds: float


def _served(public: Path) -> tuple[subprocess.Popen[str], str]:
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen([sys.executable, "-m", "tests.provisioning.serve", str(public)],
                              stdout=subprocess.PIPE, text=True, cwd=root,
                              env={**os.environ, "PYTHONPATH": str(root)})
    assert server.stdout is not None
    port = server.stdout.readline().strip()
    return server, f"http://127.0.0.1:{port}"


def _run_child(state: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the agent, then the screen's apply; never returns into pytest
        code = 1
        try:
            Agent(state).refresh()
            profile_store(state).apply_pending()
            code = 0
        finally:
            os._exit(code)
    return pid


def _wait(pid: int, deadline: float) -> int:
    """The child's wait status; a child stuck past `deadline` is killed and the test fails."""
    ends = time.monotonic() + deadline
    while time.monotonic() < ends:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"an uninterrupted refresh + apply did not finish in {deadline} s")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="kiosk-power-", dir=shm if shm.is_dir() else None))
    try:
        world = make_world(base / "world", publish=False, enrolled=False)
        world.server.stop()
        server, url = _served(world.repo.public)
        try:
            admin.registry(world.repo).set_setting("repository_url", url)
            made = make_device(world, url)
            yield made
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def make_device(world, url: str) -> Bench:  # type: ignore[no-untyped-def]
    import json

    from provisioning.device_cli import enrol

    bundle = admin.enrol_device(world.repo, "central-library", "north", DEVICE, url)
    (world.tmp / "bundle.json").write_text(json.dumps(bundle))
    admin.register_device(world.repo, DEVICE, enrol(world.tmp / "bundle.json", world.state))
    admin.publish_secrets(world.repo, DEVICE, world.secrets)
    world.publish("first", services=["missed-bin", "street-problem"])
    assert Agent(world.state).refresh().status == "ok"
    profile_store(world.state).bless()
    template = world.tmp / "template"
    shutil.copytree(world.state, template, symlinks=True)
    # What the kills race against: a new profile and a new secrets document at once.
    world.publish("second", services=["feedback"])
    admin.publish_secrets(world.repo, DEVICE, {**world.secrets, "council-api-key": "rotated"})
    runs = []
    for attempt in range(3):  # how long an uninterrupted run takes here, now
        trial = world.tmp / f"trial-{attempt}"
        shutil.copytree(template, trial, symlinks=True)
        started = time.monotonic()
        status = _wait(_run_child(trial), deadline=60)
        runs.append(time.monotonic() - started)
        assert os.waitstatus_to_exitcode(status) == 0
    seconds = sorted(runs)[1]
    store = profile_store(trial)
    assert store.current_name() == NEW
    whole = {name: _files(store.versions / name) for name in (OLD, NEW)}
    return Bench(template, world.tmp / "work", whole, seconds)


def _kill_and_recover(bench: Bench, rng: random.Random, outcomes: Counter[str]) -> None:
    shutil.rmtree(bench.work, ignore_errors=True)
    shutil.copytree(bench.template, bench.work, symlinks=True)
    pid = _run_child(bench.work)
    time.sleep(rng.uniform(0, bench.run_seconds))  # a random point of the run, not a wait
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    store = ProfileStore(bench.work / "profiles")
    current = store.current()
    assert current is not None
    assert current.name in (OLD, NEW)
    assert _files(current) == bench.whole[current.name]  # whole, never a mixture
    staged = "staged" if (store.versions / NEW).is_dir() else "not staged"
    outcomes[f"current {current.name}, {NEW} {staged}, pending {store.pending()}"] += 1
    recovered = Agent(bench.work).refresh()
    assert recovered.status == "ok", recovered
    if store.current_name() != NEW:
        assert store.pending() == NEW
        assert store.apply_pending() == NEW
    current = store.current()
    assert current is not None
    assert _files(current) == bench.whole[NEW]
    assert not list(store.versions.glob(".tmp-*"))


def _kills(bench: Bench, count: int, seed: int) -> Counter[str]:
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    for _ in range(count):
        _kill_and_recover(bench, rng, outcomes)
    # The kills landed before staging, between staging and the switch, and after it.
    assert outcomes[f"current {OLD}, {NEW} not staged, pending None"] > 0
    assert outcomes[f"current {NEW}, {NEW} staged, pending None"] > 0
    return outcomes


def test_sigkill_during_refresh_and_apply_200_times(bench: Bench) -> None:
    print(_kills(bench, 200, seed=9))


@pytest.mark.soak
@pytest.mark.parametrize("round_", range(5))
def test_sigkill_during_refresh_and_apply_1000_times(bench: Bench, round_: int) -> None:
    """1,000 kills as five rounds of 200 (each well inside the suite's hang watchdog)."""
    print(_kills(bench, 200, seed=1009 + round_))
