"""Developer commands behind `./dev` (not part of the app)."""
