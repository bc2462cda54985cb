"""Civic Kiosk core: profile, catalogue, journeys, sessions, outbox and receipts. Never Qt."""
