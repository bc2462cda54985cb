"""The network printer against a real TCP server on 127.0.0.1 that records jobs and answers DLE EOT."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest

from peripherals.printer.base import PAPER_80MM, ErrorCode, PrinterError, PrinterStatus
from peripherals.printer.escpos_render import render_escpos
from peripherals.printer.network import NetworkPrinter
from peripherals.printer.status import STATUS_REQUESTS, status_query
from peripherals.receipt_document import QRBlock, ReceiptDocument, TextBlock

DOC = ReceiptDocument((
    TextBlock("Lambeth Council", "title", "center"),
    TextBlock("ABCD 2345", "reference"),
    QRBlock("https://council.example.gov.uk/track/ABCD2345", "Scan"),
))
QUERIES = {status_query(n): n for n in STATUS_REQUESTS}


class FakeJetDirect:
    """A one-thread raw-port printer: records each connection's bytes, answers status queries.

    A connection that only ever sends DLE EOT queries gets `replies[n]` after each (or
    silence when n is missing). With `reset_after` set, a connection is reset once that
    many job bytes have arrived, as a printer that drops a job part-way.
    """

    def __init__(self, replies: dict[int, int], reset_after: int | None = None) -> None:
        self.replies = replies
        self.reset_after = reset_after
        self.jobs: list[bytes] = []
        self.queries: list[int] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-jetdirect")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        assert not self._thread.is_alive()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                self._handle(connection)

    def _handle(self, connection: socket.socket) -> None:
        data = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except (TimeoutError, ConnectionError):
                break
            if not chunk:
                break
            data += chunk
            if self.reset_after is not None and len(data) >= self.reset_after:
                # Linger 0: close() sends a reset, as a printer that gives up on the job.
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.jobs.append(data)
                return
            triples = [data[i : i + 3] for i in range(0, len(data), 3)]
            if len(data) % 3 == 0 and all(triple in QUERIES for triple in triples):
                n = QUERIES[triples[-1]]
                self.queries.append(n)
                if n in self.replies:
                    connection.sendall(bytes((self.replies[n],)))
        if data:
            self.jobs.append(data)


@pytest.fixture
def jetdirect() -> Iterator[Callable[..., FakeJetDirect]]:
    servers: list[FakeJetDirect] = []

    def start(replies: dict[int, int] | None = None, reset_after: int | None = None) -> FakeJetDirect:
        server = FakeJetDirect({1: 0x12, 2: 0x12, 4: 0x12} if replies is None else replies, reset_after)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def free_port() -> int:
    """A port nothing listens on: bound, read and closed again."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
    return port


def test_job_reaches_the_printer_byte_for_byte(jetdirect: Callable[..., FakeJetDirect]) -> None:
    server = jetdirect()
    with NetworkPrinter("127.0.0.1", server.port, paper=PAPER_80MM, timeout=2) as printer:
        result = printer.print_receipt(DOC, "ABCD2345")
    job = render_escpos(DOC, PAPER_80MM)
    assert (result.ok, result.bytes_sent, result.error) == (True, len(job), None)
    server.stop()  # joins the thread, so the recorded job is complete
    assert server.jobs == [job]


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        ({1: 0x12, 2: 0x12, 4: 0x12}, PrinterStatus.ONLINE),
        ({1: 0x16, 2: 0x12, 4: 0x1E}, PrinterStatus.PAPER_NEAR_END),
        ({1: 0x1A, 2: 0x16, 4: 0x12}, PrinterStatus.COVER_OPEN),
        ({1: 0x1A, 2: 0x32, 4: 0x72}, PrinterStatus.PAPER_OUT),
        ({1: 0x1A, 2: 0x52, 4: 0x12}, PrinterStatus.OFFLINE),
        ({}, PrinterStatus.UNKNOWN),  # accepts connections, never answers
    ],
)
def test_status_asks_dle_eot_1_2_4(
    jetdirect: Callable[..., FakeJetDirect], replies: dict[int, int], expected: PrinterStatus
) -> None:
    server = jetdirect(replies)
    printer = NetworkPrinter("127.0.0.1", server.port, paper=PAPER_80MM, timeout=0.3)
    printer.open()
    assert printer.status() is expected
    printer.close()
    server.stop()
    assert server.queries == ([1, 2, 4] if replies else [1])
    assert server.jobs == [b"".join(status_query(n) for n in server.queries)]


def test_a_printer_that_drops_the_job_part_way_is_a_failed_print(
    jetdirect: Callable[..., FakeJetDirect],
) -> None:
    server = jetdirect(reset_after=100)
    printer = NetworkPrinter("127.0.0.1", server.port, paper=PAPER_80MM, timeout=2, confirm_timeout=2)
    printer.open()
    result = printer.print_receipt(DOC, "ABCD2345")
    assert (result.ok, result.error) == (False, ErrorCode.WRITE_FAILED)
    assert result.bytes_sent <= len(render_escpos(DOC, PAPER_80MM))


def test_connection_refused_is_offline_and_never_raises() -> None:
    printer = NetworkPrinter("127.0.0.1", free_port(), paper=PAPER_80MM, timeout=1)
    printer.open()
    result = printer.print_receipt(DOC, "ABCD2345")
    assert (result.ok, result.bytes_sent, result.error) == (False, 0, ErrorCode.OFFLINE)
    assert printer.status() is PrinterStatus.OFFLINE


def test_set_up_mistakes_fail_loudly() -> None:
    printer = NetworkPrinter("127.0.0.1", 9100, paper=PAPER_80MM)
    with pytest.raises(PrinterError) as not_open:
        printer.print_receipt(DOC, "ABCD2345")
    assert not_open.value.code is ErrorCode.NOT_OPEN
    with pytest.raises(PrinterError) as not_open:
        printer.status()
    assert not_open.value.code is ErrorCode.NOT_OPEN
    for bad in (NetworkPrinter("", paper=PAPER_80MM), NetworkPrinter("h", 0, paper=PAPER_80MM),
                NetworkPrinter("h", paper=PAPER_80MM, timeout=0)):
        with pytest.raises(PrinterError) as bad_config:
            bad.open()
        assert bad_config.value.code is ErrorCode.BAD_CONFIG
    printer.open()
    with pytest.raises(PrinterError) as bad_name:
        printer.print_receipt(DOC, "../x")
    assert bad_name.value.code is ErrorCode.BAD_JOB_NAME
