"""The staff web console (server-rendered) and the `staff` command line."""

from staff.routes import build_staff_router

__all__ = ["build_staff_router"]
