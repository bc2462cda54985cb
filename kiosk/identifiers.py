"""The shape of an id a council writes in YAML (page ids, answer names): one definition for
the catalogue and the staff records, in a module light enough for the first frame."""

IDENTIFIER = r"^[a-z][a-z0-9_]*$"
