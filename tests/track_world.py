"""The whole way round for "Track my request" tests: a third-party Open311 server (the
county's, tests/track_council.py), the real hub told how to ask it (its settings file), and
a kiosk profile whose missed-bin reports go to the county while lookups ask the hub.

    with track_world(tmp_path) as world:
        world.council, world.hub, world.profile, world.state
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.orm import sessionmaker

from hub.db import make_engine
from hub.tracked import Tracked, find
from tests.hub_server import HubProcess, running_hub
from tests.kiosk_fixtures import DEMO, demo_profile_copy
from tests.track_council import TrackCouncil


@dataclass(frozen=True)
class TrackWorld:
    council: TrackCouncil
    hub: HubProcess
    profile: Path
    state: Path

    def hub_record(self, reference: str) -> Tracked | None:
        """What the hub was told about `reference` (read from its database)."""
        engine = make_engine(self.hub.database_url)
        try:
            return find(sessionmaker(engine), reference)
        finally:
            engine.dispose()

    def remote_id(self, reference: str) -> str:
        """The county's id for the report with this kiosk reference."""
        for request in self.council.posted():
            if request.form.get("attribute[kiosk_reference]") == [reference]:
                return request.service_request_id
        raise AssertionError(f"the county never received {reference}")


def county_profile(tmp_path: Path, hub: HubProcess, council: TrackCouncil) -> Path:
    """The demo profile: lookups and status pages on `hub`, missed bins to the county."""
    catalogue = tmp_path / "catalogue"
    shutil.copytree(DEMO / "catalogue", catalogue)
    missed_bin = catalogue / "missed-bin.yaml"
    service = yaml.safe_load(missed_bin.read_text(encoding="utf-8"))
    service["destination"]["to"] = "county"
    missed_bin.write_text(yaml.safe_dump(service, allow_unicode=True, sort_keys=False),
                          encoding="utf-8")
    path = demo_profile_copy(tmp_path, base_url=hub.base_url, printer="fake")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["catalogue"]["path"] = str(catalogue)
    data["lookups"] = {"type": "hub", "endpoint": f"{hub.base_url}/kiosk/v1",
                       "api_key": hub.api_key, "timeout_seconds": 5}
    data["destinations"]["county"] = {
        "type": "open311", "endpoint": council.url, "api_key": council.api_key,
        "status_url": f"{hub.base_url}/status/{{reference}}", "timeout_seconds": 5}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@contextmanager
def track_world(tmp_path: Path) -> Iterator[TrackWorld]:
    with TrackCouncil() as council:
        settings = tmp_path / "hub-settings.yaml"
        settings.write_text(yaml.safe_dump({"destinations": {"county": {
            "endpoint": council.url, "api_key": council.api_key, "cache_seconds": 0,
            "timeout_seconds": 3}}}), encoding="utf-8")
        with running_hub(tmp_path / "hub", extra_args=["--settings", str(settings),
                                                       "--log-level", "info"]) as hub:
            yield TrackWorld(council, hub, county_profile(tmp_path, hub, council),
                             tmp_path / "state")
