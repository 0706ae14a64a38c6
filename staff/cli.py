"""`python main.py staff add LOGIN --role admin|staff --name NAME | list | disable LOGIN`."""

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
from storage.staff_accounts import AccountError, create_account, disable_account, list_accounts


class _PasswordFromEnv(BaseSettings):
    """A one-shot secret for `staff add` in scripts; deliberately not an app setting."""

    model_config = SettingsConfigDict(env_prefix="MADOGUCHI_", extra="ignore")
    staff_password: str = ""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py staff", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="create an account (password from MADOGUCHI_STAFF_PASSWORD or a prompt)")
    add.add_argument("login")
    add.add_argument("--role", choices=("staff", "admin"), default="staff")
    add.add_argument("--name", required=True)
    sub.add_parser("list", help="list accounts")
    disable = sub.add_parser("disable", help="deactivate an account and unlink its LINE account")
    disable.add_argument("login")
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
                account = await disable_account(session=session, login=args.login)
                return f"disabled {account.login}"
            rows = await list_accounts(session=session, office_id=office_id)
            return "\n".join(
                f"{a.login}\t{a.role}\t{'active' if a.active else 'disabled'}\t"
                f"{'line-linked' if a.line_user_id else 'not-linked'}\t{a.display_name}"
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
