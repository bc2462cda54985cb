"""Save and come back, the kiosk's side: who keeps saved applications (the council's hub, or
the demo's fake), behind one Protocol (`base.py`). The desk that uses it is
`kiosk/terminal_saved.py`; the snapshot it stores is `kiosk/journey/snapshot.py`."""
