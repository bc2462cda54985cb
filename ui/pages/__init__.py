"""One widget class per kind of page; each is built fresh for every page shown."""
