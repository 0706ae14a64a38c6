"""First-run data: the office row, its own booth site and the seed terms version, created only
when missing."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.sites import office_hours
from config import Settings
from storage.db import transaction
from storage.models import Office, TermsVersionRow
from storage.sites import add_site

SEED_DIR = Path(__file__).resolve().parent / "seed_data"
SEED_TERMS_VERSION = "2024-10-01"
SEED_TERMS_SUMMARY = (
    "・対象：求職登録済み（または登録予定）の方、事業所登録済み（または登録予定）の事業所の人事担当者\n"
    "・平日9:00〜17:00、1回30分以内。原則として前日までに予約を確定します\n"
    "・申込みには氏名（事業所名）、求職番号（事業所番号）、電話番号が必要です\n"
    "・開始10分を過ぎて連絡がない場合はキャンセル扱いとなり、以後の利用をお断りすることがあります\n"
    "・録画・録音は禁止です。ブースには他の人がいない環境で。通訳・介助者の同席は事前にお知らせください\n"
    "・個人情報は窓口での相談と同様に保護されます（職業安定法第5条の5）"
)


async def ensure_office(sessions: async_sessionmaker[AsyncSession],
                        settings: Settings) -> uuid.UUID:
    """The office's id, creating the office and the seed terms on first start.

    Processes started together on a fresh database (two web processes and a worker) may all
    try to create it: the office code is unique, so one wins and the others read its row.
    """
    try:
        return await _find_or_create(sessions, settings)
    except IntegrityError:
        return await _find_or_create(sessions, settings)


async def _find_or_create(sessions: async_sessionmaker[AsyncSession],
                          settings: Settings) -> uuid.UUID:
    async with transaction(sessions) as session:
        office = (await session.scalars(
            select(Office).where(Office.code == settings.office_code))).first()
        if office is None:
            office = Office(code=settings.office_code, name=settings.office_name,
                            phone=settings.office_phone, address=settings.office_address,
                            hours=settings.office_hours, booths=settings.booths,
                            cutoff_hour=settings.request_cutoff_hour,
                            no_show_limit=settings.no_show_limit,
                            max_active_requests=settings.max_active_requests)
            session.add(office)
            await session.flush()
            await add_site(session, office_id=office.id, name=f"{office.name} 相談ブース",
                     address=office.address, booths=range(1, office.booths + 1),
                     hours=office_hours())
            session.add(TermsVersionRow(
                office_id=office.id, version=SEED_TERMS_VERSION,
                effective_from=datetime(2024, 10, 1, tzinfo=ZoneInfo("Asia/Tokyo")),
                summary=SEED_TERMS_SUMMARY,
                body=(SEED_DIR / f"terms-{SEED_TERMS_VERSION}.txt").read_text(encoding="utf-8")))
        return office.id
