"""Browser components (JS + their Python side) and the drag pad's position channel."""
