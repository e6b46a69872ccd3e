"""The hand-written Django peer of the section-save benchmark (see ../README.md)."""
