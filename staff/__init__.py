"""The staff web console (server-rendered) and the `staff` command line."""

from staff.console import Console
from staff.routes import build_staff_router

__all__ = ["Console", "build_staff_router"]
