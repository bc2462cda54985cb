"""Signed provisioning: a TUF repository the council's IT publishes profiles and sealed
secrets to (`kiosk-admin`), and the terminal's agent that verifies, validates and stages them
(`kiosk provision`). docs/provisioning.md tells the whole story."""
