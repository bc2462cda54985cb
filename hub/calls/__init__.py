"""Talk to an advisor: the hub's side of video calls (docs/calls.md)."""
