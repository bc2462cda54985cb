"""ngclient made fit for a terminal that can lose power at any moment, on a bounded budget.

python-tuf 7.0.1's Updater writes metadata with `os.replace` and no fsync (python-tuf
issues #1526, #1761): after a power cut the trusted metadata can be empty or stale on disk.
`DurableUpdater` overrides its two writing methods (private API, which is why tuf is pinned)
to fsync the file and its folder. `BoundedFetcher` adds an overall deadline per download to
ngclient's per-role length limits, so a server that trickles bytes cannot hold the agent
forever either.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import urllib3
from tuf.api.exceptions import SlowRetrievalError
from tuf.ngclient import Updater, UpdaterConfig
from tuf.ngclient.fetcher import FetcherInterface
from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher

from kiosk.profile_store import fsync_dir, write_durably

# Tighter than ngclient's defaults (root 512 kB, timestamp 16 kB, snapshot 2 MB, targets 5 MB):
# a council's repository holds a few hundred small targets at most.
LIMITS = UpdaterConfig(max_root_rotations=32, max_delegations=8, root_max_length=256_000,
                       timestamp_max_length=16_384, snapshot_max_length=1_000_000,
                       targets_max_length=2_000_000, app_user_agent="civic-kiosk")


class BoundedFetcher(Urllib3Fetcher):
    """urllib3 with a short gap timeout and a deadline for each whole download."""

    def __init__(self, socket_timeout: int = 10, deadline_seconds: float = 60.0) -> None:
        super().__init__(socket_timeout=socket_timeout, chunk_size=64 * 1024,
                         app_user_agent="civic-kiosk")
        self.deadline_seconds = deadline_seconds

    def _chunks(self, response: urllib3.response.BaseHTTPResponse) -> Iterator[bytes]:
        """The body as it arrives (`read1`, not "wait for a full chunk"), checking the deadline
        at every read, so a server trickling a byte at a time is given up on in time."""
        ends = time.monotonic() + self.deadline_seconds
        complete = False
        try:
            while data := response.read1(self.chunk_size):
                if time.monotonic() > ends:
                    raise SlowRetrievalError(f"a download took longer than {self.deadline_seconds:.0f} s")
                yield data
            complete = True
        except urllib3.exceptions.TimeoutError as exc:
            raise SlowRetrievalError(f"the repository went quiet for {self.socket_timeout} s") from exc
        finally:
            if not complete:
                response.close()  # never hand a half-read connection back to the pool
            response.release_conn()


class DurableUpdater(Updater):
    """An Updater whose metadata writes survive a power cut, judged at a given time."""

    def __init__(self, metadata_dir: Path, metadata_url: str, target_dir: Path, target_url: str,
                 *, bootstrap: bytes, reference_time: datetime,
                 fetcher: FetcherInterface | None = None) -> None:
        metadata_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(str(metadata_dir), metadata_url, str(target_dir), target_url,
                         fetcher=fetcher or BoundedFetcher(), config=LIMITS, bootstrap=bootstrap)
        # One fixed update start time for every expiry check of this update (the spec's
        # "fixed update start time"), and a clock the tests can move.
        self._trusted_set.reference_time = reference_time

    def _persist_file(self, filename: str, data: bytes) -> None:
        folder = os.path.dirname(filename)
        write_durably(Path(filename), data)
        if os.path.abspath(folder) != os.path.abspath(self._dir):
            fsync_dir(Path(self._dir))  # root_history/ itself may be new

    def _update_root_symlink(self) -> None:
        # ngclient removes root.json, then links it again: swap a new link in instead.
        link = os.path.join(self._dir, "root.json")
        temp = os.path.join(self._dir, f".tmp-root-link-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        os.symlink(os.path.join("root_history", f"{self._trusted_set.root.version}.root.json"), temp)
        os.replace(temp, link)
        fsync_dir(Path(self._dir))
