"""`python main.py staff add LOGIN --role admin|staff --name NAME | list | disable LOGIN |
reset-mfa LOGIN` (accounts of the configured office only)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from pydantic_settings import BaseSettings, SettingsConfigDict

from clock import SystemClock
from config import Settings
from storage.db import make_engine, make_sessionmaker, transaction
from storage.seed import ensure_office
from storage.staff_accounts import (
    AccountError,
    create_account,
    disable_account,
    find_in_office,
    list_accounts,
)
from storage.staff_mfa import reset_totp
from storage.staff_ops import audit

CLI_ACTOR = "（コマンド）"  # the audit's actor for what was done from the command line


class _PasswordFromEnv(BaseSettings):
    """A one-shot secret for `staff add` in scripts; deliberately not an app setting."""

    model_config = SettingsConfigDict(env_prefix="MADOGUCHI_", extra="ignore")
    staff_password: str = ""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py staff", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser(
        "add", help="create an account (password from MADOGUCHI_STAFF_PASSWORD or a prompt)")
    add.add_argument("login")
    add.add_argument("--role", choices=("staff", "admin"), default="staff")
    add.add_argument("--name", required=True)
    sub.add_parser("list", help="list accounts")
    disable = sub.add_parser("disable", help="deactivate an account and unlink its LINE account")
    disable.add_argument("login")
    reset = sub.add_parser("reset-mfa", help="turn TOTP off for a lost device (audited); the "
                                             "account enrols again at its next sign-in")
    reset.add_argument("login")
    return parser


def _password() -> str:
    from_env = _PasswordFromEnv().staff_password
    if from_env:
        return from_env
    first = getpass.getpass("パスワード: ")
    if getpass.getpass("パスワード（確認）: ") != first:
        raise AccountError("パスワードが一致しません。")
    return first


async def _run(settings: Settings, args: argparse.Namespace, password: str) -> str:
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        office_id = await ensure_office(sessions, settings)
        async with transaction(sessions) as session:
            if args.action == "add":
                account = await create_account(
                    session=session, office_id=office_id, login=args.login, name=args.name,
                    role=args.role, password=password, now=SystemClock().now())
                return f"added {account.login} ({account.role})"
            if args.action == "disable":
                account = await disable_account(session=session, office_id=office_id,
                                                login=args.login)
                return f"disabled {account.login}"
            if args.action == "reset-mfa":
                found = await find_in_office(session, office_id, args.login)
                if found is None:
                    raise AccountError("そのログインIDのアカウントはありません。")
                reset_totp(found)
                audit(session, office_id=office_id, actor=CLI_ACTOR, action="staff.mfa_reset",
                      now=SystemClock().now(), login=found.login)
                return f"reset two-factor sign-in of {found.login}"
            rows = await list_accounts(session=session, office_id=office_id)
            return "\n".join(
                f"{a.login}\t{a.role}\t{'active' if a.active else 'disabled'}\t"
                f"{'line-linked' if a.line_user_id else 'not-linked'}\t{a.display_name}\t"
                f"{'totp' if a.totp_enabled_at else 'no-totp'}"
                for a in rows) or "(no staff accounts)"
    finally:
        await engine.dispose()


def run(settings: Settings, args: list[str]) -> int:
    """Manage staff accounts from the command line; returns the exit status."""
    try:
        parsed = _parser().parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        password = _password() if parsed.action == "add" else ""
        print(asyncio.run(_run(settings, parsed, password)))  # noqa: T201
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    return 0
