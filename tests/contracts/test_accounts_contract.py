"""AccountsPort contract: what the flows rely on, the same on every backend."""

from __future__ import annotations

from datetime import timedelta

from dialogs.ports import UserInfo
from tests.contracts.backends import NOW, Backend, seed_ready_user


async def test_an_unknown_user_is_not_known(backend: Backend, line_id: str):
    assert await backend.accounts.user(line_id, NOW) == UserInfo(known=False)


async def test_the_terms_in_effect_are_the_seed_version_with_a_link(backend: Backend):
    terms = await backend.accounts.terms(NOW)
    assert terms is not None and terms.version == "2024-10-01"
    assert terms.url.endswith("/terms/2024-10-01")


async def test_no_terms_are_in_effect_before_the_first_version(backend: Backend):
    assert await backend.accounts.terms(NOW.replace(year=2020)) is None


async def test_a_consent_is_reflected_in_the_user_and_recorded_once_per_version(
        backend: Backend, line_id: str):
    await backend.accounts.record_consent(line_id, "2024-10-01", NOW)
    await backend.accounts.record_consent(line_id, "2024-10-01", NOW + timedelta(minutes=5))
    user = await backend.accounts.user(line_id, NOW)
    assert user.known and user.consent_version == "2024-10-01"
    assert user.consented_at == NOW  # the repeat changed nothing
    assert await backend.consents(line_id) == ["2024-10-01"]


async def test_a_new_version_is_recorded_as_a_second_consent(backend: Backend, line_id: str):
    await backend.accounts.record_consent(line_id, "2024-10-01", NOW)
    await backend.accounts.record_consent(line_id, "2026-12-01", NOW + timedelta(hours=1))
    assert (await backend.accounts.user(line_id)).consent_version == "2026-12-01"
    assert await backend.consents(line_id) == ["2024-10-01", "2026-12-01"]


async def test_set_role_creates_the_user_and_keeps_the_role(backend: Backend, line_id: str):
    await backend.accounts.set_role(line_id, "employer", NOW)
    user = await backend.accounts.user(line_id, NOW)
    assert user.known and user.role == "employer"
    assert not user.has_profile and user.consent_version is None


async def test_a_ready_user_shows_masked_profile_and_the_cap(backend: Backend, line_id: str):
    await seed_ready_user(backend, line_id, NOW)
    user = await backend.accounts.user(line_id, NOW)
    assert user.has_profile and user.role == "jobseeker"
    assert user.masked_phone == "***-****-5678" and user.masked_name == "五所川原 様"
    assert user.masked_number is not None and "12345678" not in user.masked_number
    assert (user.active_requests, user.max_active_requests) == (0, 3)
    assert not user.blocked and not user.refused_for_no_shows


async def test_repeated_no_shows_and_blocking_show_as_refusals(backend: Backend, line_id: str,
                                                                 other_id: str):
    await seed_ready_user(backend, line_id, NOW, no_show_count=2)
    await seed_ready_user(backend, other_id, NOW, blocked=True)
    assert (await backend.accounts.user(line_id)).refused_for_no_shows
    assert (await backend.accounts.user(other_id)).blocked


async def test_form_link_gives_a_fresh_link_each_time(backend: Backend, line_id: str):
    first = await backend.accounts.form_link(line_id, NOW)
    second = await backend.accounts.form_link(line_id, NOW, unregistered=True)
    assert first and second and first != second
    assert "/form/profile?t=" in first and second.endswith("&u=1")
    assert (await backend.accounts.user(line_id)).known


async def test_form_link_is_none_while_the_user_is_locked_out(backend: Backend, line_id: str):
    await backend.lock_out_form(line_id, NOW)
    assert await backend.accounts.form_link(line_id, NOW) is None


async def test_mark_unfollowed_of_an_unknown_user_creates_nothing(backend: Backend, line_id: str):
    await backend.accounts.mark_unfollowed(line_id)
    assert not (await backend.accounts.user(line_id)).known


async def test_a_chosen_language_is_kept_and_shown_with_the_user(backend: Backend, line_id: str):
    assert await backend.accounts.language(line_id) is None
    await backend.accounts.set_language(line_id, "en", NOW)
    await backend.accounts.set_language(line_id, "ja_easy", NOW + timedelta(minutes=1))
    assert await backend.accounts.language(line_id) == "ja_easy"
    assert (await backend.accounts.user(line_id, NOW)).language == "ja_easy"
