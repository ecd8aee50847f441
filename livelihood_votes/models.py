"""Models of the livelihood_votes app (see DESIGN.md); built by its own issue."""
