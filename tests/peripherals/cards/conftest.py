"""Fixtures for the card reader tests: a private pcscd per session, virtual cards, readers.

libpcsclite reads PCSCLITE_CSOCK_NAME once per process, at its first call, and keeps it
(checked: a path set later is ignored). So there is one daemon directory per test session;
the daemon is stopped, restarted and reconfigured inside it as tests need, and its whole
process group is killed when the session ends. See pcscd_harness.py for how it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from peripherals.cards import PcscCardReader, ReaderStatus
from tests.needs import require_module, require_or_skip
from tests.peripherals.cards.pcscd_harness import (
    EventLog,
    PcscdDidNotStart,
    PrivatePcscd,
    missing_prerequisite,
    wait_for_status,
    wait_until_slots_empty,
)
from tests.peripherals.cards.vpcd_card import VirtualCard


@pytest.fixture(scope="session")
def pcscd_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePcscd]:
    """The daemon's directory and PCSCLITE_CSOCK_NAME, fixed for the whole session."""
    missing = missing_prerequisite()
    require_or_skip(missing is None, missing or "")
    require_module("smartcard.scard", "pyscard is not installed (pip install pyscard==2.3.1)")
    daemon = PrivatePcscd(tmp_path_factory.mktemp("pcscd"))
    env = pytest.MonkeyPatch()
    env.setenv("PCSCLITE_CSOCK_NAME", str(daemon.socket_path))
    try:
        yield daemon
    finally:
        daemon.shutdown()
        env.undo()


@pytest.fixture(scope="module")
def pcscd_module(pcscd_session: PrivatePcscd) -> Iterator[PrivatePcscd]:
    """pcscd runs while one test module needs it and is killed (process group) after it."""
    try:
        pcscd_session.start()
    except PcscdDidNotStart as exc:
        require_or_skip(False, f"pcscd cannot start here: {exc}")
    try:
        _check_client_reaches()
        yield pcscd_session
    finally:
        pcscd_session.shutdown()


def _check_client_reaches() -> None:
    from smartcard import scard  # type: ignore[import-untyped]

    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        pytest.fail(
            "pcscd is up but libpcsclite in this test process cannot reach it: something used "
            "PC/SC earlier in this process, so libpcsclite kept another socket path "
            f"({scard.SCardGetErrorMessage(result)})"
        )
    scard.SCardReleaseContext(context)


@pytest.fixture
def private_pcscd(pcscd_module: PrivatePcscd) -> PrivatePcscd:
    """The module's pcscd, running with the vpcd reader and empty slots as each test starts.

    Tests may stop, restart or reconfigure it; the next test gets it back as it was.
    """
    if not pcscd_module.running or not pcscd_module.with_reader:
        pcscd_module.restart()
    wait_until_slots_empty()
    return pcscd_module


@pytest.fixture
def make_card(private_pcscd: PrivatePcscd) -> Iterator[Callable[..., VirtualCard]]:
    """Virtual cards for slot 0 (or `slot=1`); all taken off at the end of the test."""
    cards: list[VirtualCard] = []

    def make(*, slot: int = 0, **options: object) -> VirtualCard:
        card = VirtualCard(private_pcscd.vpcd_port + slot, **options)  # type: ignore[arg-type]
        cards.append(card)
        return card

    yield make
    for card in cards:
        card.remove()


@pytest.fixture
def start_reader(private_pcscd: PrivatePcscd) -> Iterator[Callable[..., tuple[PcscCardReader, EventLog]]]:
    """Start PcscCardReaders (stopped at the end) that record into an EventLog."""
    readers: list[PcscCardReader] = []

    def start(*, reader_filter: str | None = "Virtual PCD 00 00", wait_ready: bool = True,
              **options: float) -> tuple[PcscCardReader, EventLog]:
        reader = PcscCardReader(reader_filter=reader_filter, **options)
        log = EventLog()
        reader.start(log)
        readers.append(reader)
        if wait_ready:
            wait_for_status(reader, ReaderStatus.READY)
        return reader, log

    yield start
    for reader in readers:
        reader.stop()
