"""Shared helpers for tests that run the whole kiosk: a demo profile pointed where we say."""

from __future__ import annotations

from pathlib import Path

import yaml

DEMO = Path(__file__).resolve().parent.parent / "kiosk" / "demo"


def demo_profile_copy(tmp_path: Path, *, base_url: str = "http://127.0.0.1:9",
                      printer: str = "file", **overrides: object) -> Path:
    """The demo profile with the hub at `base_url` and the catalogue path made absolute."""
    data = yaml.safe_load((DEMO / "profile.yaml").read_text(encoding="utf-8"))
    data["catalogue"]["path"] = str(DEMO / "catalogue")
    council = data["destinations"]["council"]
    council["endpoint"] = f"{base_url}/open311/v2"
    council["status_url"] = f"{base_url}/status/{{reference}}"
    council["timeout_seconds"] = 5
    data["printer"]["type"] = printer
    data.update(overrides)
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
