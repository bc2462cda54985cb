"""Staff beside the terminal, on screen: the panel, the PIN pad, maintenance, device status."""
