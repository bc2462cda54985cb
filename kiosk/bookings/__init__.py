"""Booking appointments with the council: the diary (`base`: the interface; `hub_client`, the
hub's; `fake`, the demo's), the journeys that hold and confirm a slot (`journey`), the steps
they wait on (`steps`), and what they print (`printout`). See docs/lookups.md, "Appointments".

Kept import-light: the question types import `kiosk.bookings.reference` while the catalogue
loads, before anything else here is needed.
"""
