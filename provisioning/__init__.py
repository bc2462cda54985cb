"""Signed provisioning (TUF), atomic apply and rollback: a later issue."""
