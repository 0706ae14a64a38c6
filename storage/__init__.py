"""The only place that knows SQL and Redis keys."""
