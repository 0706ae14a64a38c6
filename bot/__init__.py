"""The LINE edge: the only package that knows LINE's formats and SDK."""
