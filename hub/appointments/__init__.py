"""Appointments at the council's local points: sites, appointment types, slot templates, and
bookings made by kiosks with a hold -> confirm protocol (docs/hub.md, "Appointments").

The kiosk's side of it (docs/hub.md, "Appointments") is the API in `api.py` and the four
lookup sources in `hub/lookup_sources/appointments.py`. Slots are never stored: they are
generated from the templates (`slots.py`); a booking claims one numbered seat of a slot, and
the database's unique (site, type, start, seat) is what makes double booking impossible.
"""
