"""Models of the suggestions app (see DESIGN.md); built by its own issue."""
