from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.provisioning.world import World, world_at


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A repository with north's first profile published, and lib-01 enrolled, registered and
    holding its sealed secrets (not yet refreshed)."""
    with world_at(tmp_path) as made:
        yield made


@pytest.fixture
def running(world: World) -> World:
    """As `world`, after a first refresh: the terminal runs p1 and has blessed it."""
    outcome = world.refresh()
    assert outcome.status == "ok", outcome
    world.store.bless()
    return world
