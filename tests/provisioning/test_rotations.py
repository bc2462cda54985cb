"""Root key rotation, threshold changes and the tooling's own rotations, as the agent sees them.

Like python-tuf's test_updater_key_rotations: each row is a chain of new roots (the root
role's keys, its threshold, and who signed), and whether a terminal follows it. A terminal
that refuses keeps its profile and says why.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from securesystemslib.signer import CryptoSigner

from tests.provisioning import forge
from tests.provisioning.world import COUNCIL, World


class Md(NamedTuple):
    keys: list[int]      # indexes into [old0, old1, old2, new0, new1, new2]
    threshold: int
    sigs: list[int]


ROWS = {
    "2-of-3, same keys, signed by 2": ([Md([0, 1, 2], 2, [0, 1])], True),
    "2-of-3, signed by 1: old threshold not reached": ([Md([0, 1, 2], 2, [0])], False),
    "bump to 3-of-3 signed by 2: new threshold not reached": ([Md([0, 1, 2], 3, [0, 1])], False),
    "all keys replaced, signed by 2 old and 2 new": ([Md([3, 4, 5], 2, [0, 1, 3, 4])], True),
    "all keys replaced, signed only by the new keys": ([Md([3, 4, 5], 2, [3, 4, 5])], False),
    "all keys replaced, signed only by the old keys": ([Md([3, 4, 5], 2, [0, 1, 2])], False),
    "two rotations in one refresh": ([Md([0, 3, 4], 2, [0, 1, 3]), Md([3, 4, 5], 2, [3, 4])], True),
    "intermediate root incorrectly signed": ([Md([0, 1, 2], 2, [0]), Md([0, 1, 2], 2, [0, 1])], False),
    "final root incorrectly signed": ([Md([0, 1, 2], 2, [0, 1]), Md([3, 4, 5], 2, [3, 4])], False),
}


@pytest.mark.parametrize("row", ROWS)
def test_root_rotation(running: World, row: str) -> None:
    chain, follows = ROWS[row]
    pool: list[CryptoSigner] = [*forge.keys_of(running, "root"), *(CryptoSigner.generate_ed25519()
                                                                   for _ in range(3))]  # type: ignore[list-item]
    for md in chain:
        forge.next_root(running, keyids=[pool[i].public_key.keyid for i in md.keys],
                        threshold=md.threshold, signers=[pool[i] for i in md.sigs], new_keys=pool[3:])
    outcome = running.refresh()
    assert running.store.current_name() == "p1-s1"
    if follows:
        assert (outcome.status, outcome.reason) == ("ok", "up to date (p1-s1)")
    else:
        assert outcome.status == "rejected"
        assert "not signed by enough trusted keys" in outcome.reason
        assert running.result()["status"] == "rejected"


@pytest.mark.parametrize("role", ["root", "targets", "snapshot", "timestamp", COUNCIL])
def test_the_tooling_rotates_a_role_and_terminals_follow(running: World, role: str) -> None:
    old = forge.keys_of(running, role)
    new = running.repo.rotate(role)
    assert {s.public_key.keyid for s in old}.isdisjoint(new)
    assert all(running.keys.get(s.public_key.keyid) is None for s in old)  # retired
    running.publish("after-rotation", services=["feedback"])
    outcome = running.refresh()
    assert (outcome.status, outcome.offered) == ("ok", "p2-s1"), outcome
    if role in ("timestamp", COUNCIL):
        # The retired key no longer counts.
        forge.resign(running, role, lambda signed: None, signers=old)
        if role == COUNCIL:
            data = (running.metadata / f"{COUNCIL}.json").read_bytes()
            version = forge.load(running, COUNCIL).signed.version
            forge.new_chain(running, targets_meta={f"{COUNCIL}.json": forge.meta(data, version)})
        outcome = running.refresh()
        assert outcome.status == "rejected"
        assert "not signed by enough trusted keys" in outcome.reason
