"""Save and come back: a resident's unfinished application kept for a few days, encrypted at
rest, behind a reference and a memorable word (docs/hub.md, "Saved applications").

The kiosk's side is `kiosk/saved/`; the API is `api.py`; the rows, their sealing and their
deletion are `store.py`; the key file is `keyfile.py`.
"""
