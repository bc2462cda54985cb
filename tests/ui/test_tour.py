"""The demo tour runs end to end on the shared driver and saves the pages it promises."""

from __future__ import annotations

from pathlib import Path

from ui.tour import run_tour


def test_the_tour_saves_every_page_and_the_staff_half(make_kiosk, tmp_path: Path) -> None:
    # The staff half needs the demo's fake card reader and printer, and its strip.
    kiosk = make_kiosk(demo_controls=True, printer="fake")
    out = tmp_path / "tour"
    assert run_tour(kiosk, out, variants=False) == 0
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert "delivered to the hub at once: no (queued in the outbox)" in summary  # hub unreachable
    shots = sorted(p.name for p in out.glob("*.png"))
    for page in ("attract", "address-list", "address-typed-error", "bin-type-error",
                 "due-date-error", "change-address", "need-more-time", "confirmation",
                 "track-request", "bin-days", "booking-day", "booking-time",
                 "booking-check-answers", "booking-confirmed", "booking-details", "exit-page",
                 "satisfaction",
                 "blue-badge-eligibility", "blue-badge-not-eligible", "blue-badge-check-answers",
                 "blue-badge-evidence", "blue-badge-confirmation", "bus-pass-not-yet",
                 "moved-house-tell", "moved-house-confirmation"):
        assert any(name.endswith(f"-{page}.png") for name in shots), (page, shots)
    staff = sorted(p.name for p in (out / "staff").glob("*.png"))
    for page in ("staff-panel", "staff-device-status", "staff-pin-locked",
                 "confirmation-printer-out-of-paper", "maintenance"):
        assert any(name.endswith(f"-{page}.png") for name in staff), (page, staff)
