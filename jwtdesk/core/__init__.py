"""The model layer: pure Python, no Qt, no persistence."""
