"""The conversation engine and the flows. No LINE SDK, web framework or database driver here."""
