"""A profile of another schema_version is migrated when a step exists, else refused precisely."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from kiosk.config_errors import ConfigError
from provisioning.validate import SUPPORTED_SCHEMA, migrate

LABEL = "sites/north/central-library/profile.json"


def _files(version: int) -> dict[str, bytes]:
    return {"profile.yaml": f"schema_version: {version}\nold_name: kept\n".encode(),
            "catalogue/a.yaml": b"id: a\n"}


def test_a_previous_schema_is_migrated_step_by_step() -> None:
    def rename(data: dict[str, Any]) -> dict[str, Any]:
        data["new_name"] = data.pop("old_name")
        return data

    migrated = migrate(_files(SUPPORTED_SCHEMA - 1), LABEL, {SUPPORTED_SCHEMA - 1: rename})
    data = yaml.safe_load(migrated["profile.yaml"])
    assert data == {"schema_version": SUPPORTED_SCHEMA, "new_name": "kept"}
    assert migrated["catalogue/a.yaml"] == b"id: a\n"


def test_the_current_schema_is_left_byte_for_byte() -> None:
    files = _files(SUPPORTED_SCHEMA)
    assert migrate(files, LABEL) == files


@pytest.mark.parametrize(("version", "words"), [
    (SUPPORTED_SCHEMA + 1, "update the kiosk software on the terminals"),
    (SUPPORTED_SCHEMA - 1, f"no longer migrates schema {SUPPORTED_SCHEMA - 1} profiles"),
])
def test_a_schema_without_a_way_here_is_refused_whole(version: int, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        migrate(_files(version), LABEL, {})
    [problem] = info.value.problems
    assert (problem.file, problem.path, problem.found) == (f"{LABEL}:profile.yaml", "schema_version",
                                                           str(version))
    assert words in problem.expected
