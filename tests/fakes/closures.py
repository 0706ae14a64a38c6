"""`ClosuresPort` in memory: answering an emergency closure notice, as storage/requests.py does.

A closed request is a `MemoryRequest` with status "closed" and an entry in `office.closed`
(None until the user answers "moved" or "cancelled"): the notice row of storage.
"""

from __future__ import annotations

from datetime import datetime

from dialogs.ports import Draft, Outcome, Reason
from tests.fakes.office import MemoryRequest
from tests.fakes.requests import MemoryRequests, info_of

OPTIONS_SHOWN = 3


class MemoryClosures:
    """Closure answers over the same office (and commit) as `MemoryRequests`."""

    def __init__(self, requests: MemoryRequests) -> None:
        self.requests = requests
        self.office = requests.office

    def _closed(self, line_user_id: str, booking_id: str) -> MemoryRequest | None:
        request = self.office.request_of(line_user_id, booking_id)
        if request is None or request.status != "closed" or request.id not in self.office.closed:
            return None
        return request

    async def move_closed(self, line_user_id: str, booking_id: str, starts_at: datetime,
                          at: datetime) -> Outcome:
        request = self._closed(line_user_id, booking_id)
        if request is None:
            return Outcome(ok=False, reason=Reason.NOT_FOUND)
        if self.office.closed[request.id] is not None:
            return Outcome(ok=False, reason=Reason.ALREADY)
        draft = Draft(purpose=request.purpose, starts_at=starts_at, slots=len(request.starts),
                      job_number=request.job_number, applicants=request.applicants,
                      attendant=request.attendant, site_id=request.site_id)
        outcome = self.requests.commit(line_user_id, draft, at)
        if outcome.ok:
            self.office.closed[request.id] = "moved"
        elif outcome.reason == Reason.TAKEN:
            free = await self.requests.availability.nearest_free(
                line_user_id, starts_at, at, len(request.starts), site_id=request.site_id)
            return Outcome(ok=False, reason=Reason.TAKEN, alternatives=free[:OPTIONS_SHOWN])
        return outcome

    async def cancel_closed(self, line_user_id: str, booking_id: str, at: datetime) -> Outcome:
        request = self._closed(line_user_id, booking_id)
        if request is None:
            return Outcome(ok=False, reason=Reason.NOT_FOUND)
        if self.office.closed[request.id] is not None:
            return Outcome(ok=False, reason=Reason.ALREADY)
        self.office.closed[request.id] = "cancelled"
        return Outcome(ok=True, bookings=[info_of(request)])
