"""The flows; `build_registry()` puts every state and entry point in one table."""

from __future__ import annotations

from dialogs.registry import Registry


def build_registry() -> Registry:
    """Every flow registers its states and entries here, once, at start-up."""
    from dialogs.flows import (
        booking,
        closure,
        consent,
        home,
        immediate,
        language,
        mybookings,
        profile,
        sites,
        slots,
        staff,
        waitlist,
        walkup,
    )

    registry = Registry()
    for flow in (home, language, consent, staff, profile, booking, sites, slots, mybookings,
                 immediate, waitlist, walkup, closure):
        flow.register(registry)
    return registry
