"""The file and fake printers, fault injection, and choosing a backend by name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from peripherals.printer import (
    PAPER_58MM,
    PAPER_80MM,
    ErrorCode,
    FakePrinter,
    FilePrinter,
    PrinterError,
    PrinterStatus,
    ReceiptPrinter,
    make_printer,
)
from peripherals.printer.escpos_render import render_escpos
from peripherals.printer.preview import render_preview_png
from peripherals.receipt_document import QRBlock, ReceiptDocument, TextBlock

DOC = ReceiptDocument((
    TextBlock("Lambeth Council", "title", "center"),
    TextBlock("ABCD 2345", "reference"),
    QRBlock("https://council.example.gov.uk/track/ABCD2345", "Scan"),
))


def test_file_printer_writes_the_job_and_its_preview(tmp_path: Path) -> None:
    folder = tmp_path / "spool" / "receipts"
    with FilePrinter(folder, PAPER_80MM) as printer:
        assert printer.status() is PrinterStatus.ONLINE
        result = printer.print_receipt(DOC, "ABCD2345")
    job = render_escpos(DOC, PAPER_80MM)
    assert result.ok
    assert result.error is None
    assert result.bytes_sent == len(job)
    assert (folder / "ABCD2345.bin").read_bytes() == job
    assert (folder / "ABCD2345.png").read_bytes() == render_preview_png(DOC, PAPER_80MM)
    assert sorted(path.name for path in folder.iterdir()) == ["ABCD2345.bin", "ABCD2345.png"]


def test_file_printer_replaces_a_reprint_in_place(tmp_path: Path) -> None:
    printer = FilePrinter(tmp_path, PAPER_58MM)
    printer.open()
    printer.print_receipt(DOC, "R1")
    second = ReceiptDocument((TextBlock("reprint"),))
    assert printer.print_receipt(second, "R1").ok
    printer.close()
    assert (tmp_path / "R1.bin").read_bytes() == render_escpos(second, PAPER_58MM)


def test_file_printer_reports_a_failed_write_and_leaves_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer = FilePrinter(tmp_path, PAPER_80MM)
    printer.open()

    def disk_full(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    result = printer.print_receipt(DOC, "ABCD2345")
    assert (result.ok, result.bytes_sent, result.error) == (False, 0, ErrorCode.WRITE_FAILED)
    assert list(tmp_path.iterdir()) == []


def test_file_printer_offline_when_its_folder_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    printer = FilePrinter(folder, PAPER_80MM)
    printer.open()
    folder.rmdir()
    folder.write_text("not a folder")
    assert printer.status() is PrinterStatus.OFFLINE
    result = printer.print_receipt(DOC, "ABCD2345")
    assert (result.ok, result.error) == (False, ErrorCode.OFFLINE)


def test_file_printer_set_up_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PrinterError) as caught:
        FilePrinter(blocker / "sub", PAPER_80MM).open()
    assert caught.value.code is ErrorCode.OPEN_FAILED
    with pytest.raises(PrinterError) as caught:
        FilePrinter(tmp_path, PAPER_80MM).print_receipt(DOC, "ABCD2345")
    assert caught.value.code is ErrorCode.NOT_OPEN
    printer = FilePrinter(tmp_path, PAPER_80MM)
    printer.open()
    for bad in ("../escape", ".hidden", "a/b", "", "x" * 101):
        with pytest.raises(PrinterError) as caught:
            printer.print_receipt(DOC, bad)
        assert caught.value.code is ErrorCode.BAD_JOB_NAME
    assert list(tmp_path.iterdir()) == [blocker]


def test_fake_printer_records_jobs() -> None:
    printer = FakePrinter(PAPER_80MM)
    assert printer.output == b""
    with printer:
        first = printer.print_receipt(DOC, "A1")
        printer.print_receipt(ReceiptDocument((TextBlock("second"),)), "A2")
    assert first.ok
    assert first.bytes_sent == len(printer.jobs[0])
    assert printer.jobs[0] == render_escpos(DOC, PAPER_80MM)
    assert printer.output == printer.jobs[1]
    assert printer.job_names == ["A1", "A2"]
    assert not printer.is_open


def test_fake_printer_offline_and_paper_out_fail_without_raising() -> None:
    printer = FakePrinter(PAPER_80MM, offline=True)
    printer.open()
    assert printer.status() is PrinterStatus.OFFLINE
    result = printer.print_receipt(DOC, "A1")
    assert (result.ok, result.bytes_sent, result.error) == (False, 0, ErrorCode.OFFLINE)
    printer.offline = False
    printer.paper_state = "out"
    assert printer.status() is PrinterStatus.PAPER_OUT
    result = printer.print_receipt(DOC, "A1")
    assert (result.ok, result.error) == (False, ErrorCode.PAPER_OUT)
    assert printer.jobs == []
    printer.paper_state = "near_end"
    assert printer.status() is PrinterStatus.PAPER_NEAR_END
    assert printer.print_receipt(DOC, "A1").ok


def test_fake_printer_job_cut_short() -> None:
    full = render_escpos(DOC, PAPER_80MM)
    printer = FakePrinter(PAPER_80MM, fail_after_bytes=100)
    printer.open()
    result = printer.print_receipt(DOC, "A1")
    assert (result.ok, result.bytes_sent, result.error) == (False, 100, ErrorCode.WRITE_FAILED)
    assert printer.output == full[:100]
    printer.fail_after_bytes = None
    assert printer.print_receipt(DOC, "A1").ok
    assert printer.output == full


def test_fake_printer_must_be_opened() -> None:
    with pytest.raises(PrinterError) as caught:
        FakePrinter(PAPER_80MM).print_receipt(DOC, "A1")
    assert caught.value.code is ErrorCode.NOT_OPEN


def test_make_printer_by_kind(tmp_path: Path) -> None:
    fake: ReceiptPrinter = make_printer("fake", paper=PAPER_58MM)
    assert isinstance(fake, FakePrinter)
    assert fake.paper is PAPER_58MM
    spool: ReceiptPrinter = make_printer("file", paper=PAPER_80MM, directory=tmp_path)
    assert isinstance(spool, FilePrinter)
    assert spool.directory == tmp_path
    with pytest.raises(PrinterError) as caught:
        make_printer("file", paper=PAPER_80MM)
    assert caught.value.code is ErrorCode.BAD_CONFIG


def test_make_printer_names_the_known_kinds() -> None:
    with pytest.raises(PrinterError, match=r"unknown printer kind 'laser'; known kinds: "
                                           r"cups, fake, file, network, serial, usb"):
        make_printer("laser", paper=PAPER_80MM)


@pytest.mark.parametrize(("kind", "needs"), [("file", "directory"), ("network", "host"),
                                             ("serial", "device"), ("usb", "vendor_id"),
                                             ("cups", "queue")])
def test_make_printer_says_which_setting_is_missing(kind: str, needs: str) -> None:
    with pytest.raises(PrinterError, match=f"the '{kind}' printer needs {needs}") as caught:
        make_printer(kind, paper=PAPER_80MM)
    assert caught.value.code == "printer.bad_config"


def test_make_printer_builds_each_backend_closed() -> None:
    from peripherals.printer.cups import CupsPrinter
    from peripherals.printer.network import NetworkPrinter
    from peripherals.printer.serial import SerialPrinter
    from peripherals.printer.usb import UsbPrinter

    built = {
        "network": make_printer("network", paper=PAPER_80MM, host="10.0.0.9", port=9101),
        "serial": make_printer("serial", paper=PAPER_80MM, device="/dev/ttyUSB0", baudrate=19200),
        "usb": make_printer("usb", paper=PAPER_80MM, vendor_id=0x04B8, product_id=0x0202),
        "cups": make_printer("cups", paper=PAPER_80MM, queue="receipts"),
    }
    assert isinstance(built["network"], NetworkPrinter)
    assert built["network"].port == 9101
    assert isinstance(built["serial"], SerialPrinter)
    assert built["serial"].baudrate == 19200
    assert isinstance(built["usb"], UsbPrinter)
    assert built["usb"].product_id == 0x0202
    assert isinstance(built["cups"], CupsPrinter)
    assert built["cups"].queue == "receipts"
