"""Devices beside the screen (printer, card reader, scanner): leaves that import nothing of ours."""
