"""`AccountsPort` in memory: users, consent, role and a stand-in form link."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from booking import mask_name, mask_number, mask_phone
from dialogs.ports import TermsInfo, UserInfo
from tests.fakes.office import USER_FAILURES, MemoryOffice


class MemoryAccounts:
    """The users of a `MemoryOffice`, as `storage.accounts.AccountsService` shows them."""

    def __init__(self, office: MemoryOffice) -> None:
        self.office = office

    async def user(self, line_user_id: str, at: datetime | None = None) -> UserInfo:
        user = self.office.users.get(line_user_id)
        if user is None:
            return UserInfo(known=False)
        active = self.office.active_requests(line_user_id, at) if at is not None else 0
        return UserInfo(
            known=True, consent_version=user.consent_version, consented_at=user.consented_at,
            role=user.role, blocked=user.blocked,
            refused_for_no_shows=user.no_show_count >= self.office.no_show_limit,
            has_profile=bool(user.name and user.phone),
            masked_name=mask_name(user.name) if user.name else None,
            masked_phone=mask_phone(user.phone) if user.phone else None,
            masked_number=mask_number(user.number) if user.number else None,
            active_requests=active, max_active_requests=self.office.max_active_requests,
            usual_site_id=user.usual_site_id, language=user.language)

    async def terms(self, at: datetime) -> TermsInfo | None:
        return self.office.current_terms(at)

    async def record_consent(self, line_user_id: str, version: str, at: datetime, *,
                             language: str = "ja") -> None:
        user = self.office.user_or_new(line_user_id)
        if user.consent_version == version:
            return  # already on record: a repeated step writes no second consent
        user.consent_version, user.consented_at, user.followed = version, at, True
        user.consents.append((version, at))
        user.consent_languages.append(language)

    async def mark_unfollowed(self, line_user_id: str) -> None:
        user = self.office.users.get(line_user_id)
        if user is not None:
            user.followed = False

    async def set_role(self, line_user_id: str, role: str, at: datetime) -> None:
        self.office.user_or_new(line_user_id).role = role

    async def language(self, line_user_id: str) -> str | None:
        user = self.office.users.get(line_user_id)
        return user.language if user is not None else None

    async def set_language(self, line_user_id: str, language: str, at: datetime) -> None:
        self.office.user_or_new(line_user_id).language = language

    async def form_link(self, line_user_id: str, at: datetime, *,
                        unregistered: bool = False) -> str | None:
        """A stand-in link (no web form here), or None while the user is locked out."""
        user = self.office.user_or_new(line_user_id)
        if user.form_failures >= USER_FAILURES:
            return None
        user.links_issued += 1
        query = urlencode(
            {"t": f"memory-{user.links_issued}", **({"u": "1"} if unregistered else {})}
        )
        return f"{self.office.info.base_url}/form/profile?{query}"
