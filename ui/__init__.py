"""PySide6 views. Renders page models and forwards intents; keeps no business state."""
