"""Models of the oversight app (see DESIGN.md); built by its own issue."""
