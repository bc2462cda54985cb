"""Speech, themes, text sizes and languages. A leaf room: imports nothing of ours, never Qt."""
