"""A council's signed repository served on 127.0.0.1 and a terminal enrolled against it.

Tests build the repository with the real tooling (`provisioning.repository`, `admin`), serve
`public/` with a stdlib HTTP server started and stopped by the test, and run the real agent
against it. Attacks are made by editing what the server serves, as an attacker on the wire
or on a mirror would: re-signing with keys the test holds, replaying old files, tampering.
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from kiosk.profile_store import ProfileStore
from provisioning import admin
from provisioning.agent import Agent, Outcome, profile_store
from provisioning.device_cli import enrol
from provisioning.keys import KeyFolders
from provisioning.repository import Repository
from tests.kiosk_fixtures import DEMO, secrets_as_references, without_demo_devices

SITE = "central-library"
COUNCIL = "north"
OTHER_COUNCIL = "south"
DEVICE = "lib-01"
CANARY = "CANARY-7f3a9e-never-shown"


def secrets_for_test() -> dict[str, str]:
    """The demo's secret names, each holding a distinct canary value."""
    data = yaml.safe_load((DEMO / "profile.yaml").read_text(encoding="utf-8"))
    names = secrets_as_references(data)
    made = {name: f"{CANARY}-{name}" for name in names}
    made["staff-salt"] = base64.b64encode(f"{CANARY}-salt".encode()).decode()  # a salt is base64
    return made


def write_profile(folder: Path, *, services: list[str] | None = None, **overrides: Any) -> Path:
    """A production profile (secrets by reference) with its catalogue folder beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((DEMO / "profile.yaml").read_text(encoding="utf-8"))
    secrets_as_references(data)
    without_demo_devices(data)
    data.update({"mode": "production", "demo_quit_shortcut": False, "card_reader": {"type": "none"}})
    data["printer"] = {"type": "file"}
    data["lookups"]["type"] = "hub"
    if services is not None:
        data["catalogue"]["services"] = services
    data.update(overrides)
    if not (folder / "catalogue").exists():
        shutil.copytree(DEMO / "catalogue", folder / "catalogue")
    path = folder / "profile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        special = self.server.special.get(self.path.split("?")[0])  # type: ignore[attr-defined]
        if special is not None:
            special(self)
            return
        super().do_GET()


class RepoServer:
    """`public/` on 127.0.0.1; `special[path]` answers one path with a handler of its own."""

    def __init__(self, folder: Path) -> None:
        handler = lambda *a, **k: _Handler(*a, directory=str(folder), **k)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.special = {}  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def special(self) -> dict[str, Callable[[http.server.BaseHTTPRequestHandler], None]]:
        return self.httpd.special  # type: ignore[attr-defined, no-any-return]

    def start(self) -> RepoServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@dataclass
class World:
    tmp: Path
    repo: Repository
    keys: KeyFolders
    server: RepoServer
    state: Path
    secrets: dict[str, str]
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def store(self) -> ProfileStore:
        return profile_store(self.state)

    @property
    def metadata(self) -> Path:
        return self.repo.metadata

    def agent(self, **kwargs: Any) -> Agent:
        return Agent(self.state, clock=lambda: self.now, **kwargs)

    def refresh(self) -> Outcome:
        return self.agent().refresh()

    def publish(self, name: str = "edit", **changes: Any) -> str:
        path = write_profile(self.tmp / "profiles" / name, **changes)
        target = admin.publish_profile(self.repo, SITE, path, self.secrets)
        return f"p{target.custom['version']}"

    def result(self) -> dict[str, Any]:
        return self.store.result()

    def current_profile(self) -> str:
        folder = self.store.current()
        assert folder is not None
        return (folder / "profile.yaml").read_text(encoding="utf-8")

    def travel(self, days: float) -> None:
        self.now = self.now + timedelta(days=days)

    def read_md(self, role: str) -> dict[str, Any]:
        return json.loads((self.metadata / f"{role}.json").read_text())  # type: ignore[no-any-return]


def make_world(tmp: Path, *, publish: bool = True, enrolled: bool = True) -> World:
    keys = KeyFolders([tmp / "keys"])
    repo = Repository.init(tmp / "repo", keys)
    repo.add_council(COUNCIL)
    repo.add_council(OTHER_COUNCIL)
    server = RepoServer(repo.public).start()
    admin.registry(repo).set_setting("repository_url", server.url)
    world = World(tmp, repo, keys, server, tmp / "state", secrets_for_test())
    if enrolled:
        bundle = admin.enrol_device(repo, SITE, COUNCIL, DEVICE)
        (tmp / "bundle.json").write_text(json.dumps(bundle))
        identity = enrol(tmp / "bundle.json", world.state)
        admin.register_device(repo, DEVICE, identity)
        admin.publish_secrets(repo, DEVICE, world.secrets)
    if publish:
        world.publish("first", services=["missed-bin", "street-problem"])
    return world


@contextmanager
def world_at(tmp: Path, **kwargs: Any) -> Iterator[World]:
    world = make_world(tmp, **kwargs)
    try:
        yield world
    finally:
        world.server.stop()
