"""In-memory ports for fast flow tests; tests/contracts runs them against the storage contract.

    office = MemoryOffice()
    engine = Engine(store=MemoryStateStore(), registry=build_registry(),
                    ports=memory_ports(office), clock=lambda: now)
"""

from __future__ import annotations

import uuid

from dialogs.ports import Ports, PortsFactory
from tests.fakes.accounts import MemoryAccounts
from tests.fakes.availability import MemoryAvailability
from tests.fakes.closures import MemoryClosures
from tests.fakes.office import MemoryEntry, MemoryOffice, MemoryRequest, MemoryUser
from tests.fakes.requests import MemoryRequests
from tests.fakes.staff import MemoryStaff, MemoryStaffPort
from tests.fakes.state_store import MemoryStateStore


def memory_ports(office: MemoryOffice) -> PortsFactory:
    """A ports factory over one `MemoryOffice`; staff accounts are seeded in `office.staff`."""
    accounts = MemoryAccounts(office)
    availability = MemoryAvailability(office)
    requests = MemoryRequests(office, availability)
    staff = MemoryStaffPort(office)

    def ports_for(outbox: list[uuid.UUID]) -> Ports:
        bound = requests.bound(outbox)
        return Ports(office=office.info, accounts=accounts, availability=availability,
                     requests=bound, staff=staff.bound(outbox), closures=MemoryClosures(bound))
    return ports_for


__all__ = ["MemoryAccounts", "MemoryAvailability", "MemoryClosures", "MemoryEntry", "MemoryOffice",
           "MemoryRequest", "MemoryRequests", "MemoryStaff", "MemoryStaffPort", "MemoryStateStore",
           "MemoryUser", "memory_ports"]
