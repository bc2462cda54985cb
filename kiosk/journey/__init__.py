"""The journey engine: a pure state machine walking one service's pages."""
