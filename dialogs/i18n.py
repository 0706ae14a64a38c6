"""The user's language: gettext catalogs (Babel), Japanese the source; dates per language.

Message modules keep plain Japanese constants (the msgids); a flow reads them through
`messages(module)`, which translates each constant into the language active for the step.
The engine activates the user's language for the step it runs (`Ctx.language`), the notifier
the recipient's for the push it words, the web pages the visitor's; with nothing active the
text stays Japanese, so staff-facing code (console, staff alerts) never changes.
"""

from __future__ import annotations

import gettext
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from babel.dates import format_date, format_skeleton, get_day_names, get_month_names
from babel.dates import format_time as babel_time

from booking import format_date_ja, to_jst
from booking import format_time as format_time_ja
from booking.messages import DayName, Weekday, Worded

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE = "ja"


@dataclass(frozen=True)
class Language:
    """One language users can talk in: our code, its own name, Babel's locale, typed names."""

    code: str
    name: str  # in the language itself: what the picker shows and what users type
    locale: str
    japanese: str  # for staff ("通訳：英語")
    aliases: tuple[str, ...] = ()


LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (
    Language("ja", "日本語", "ja", "日本語", ("にほんご", "japanese")),
    Language("ja_easy", "やさしいにほんご", "ja", "やさしい日本語",
             ("やさしい日本語", "やさしいにほんご", "easy japanese")),
    Language("en", "English", "en", "英語", ("英語", "えいご", "eng")),
    Language("zh_Hans", "中文", "zh_Hans", "中国語", ("中文", "简体中文", "中文(简体)", "汉语",
                                                   "chinese", "中国語")),
    Language("vi", "Tiếng Việt", "vi", "ベトナム語", ("tieng viet", "vietnamese", "ベトナム語")),
    Language("pt_BR", "Português", "pt_BR", "ポルトガル語", ("portugues", "portuguese",
                                                        "ポルトガル語")),
    Language("es", "Español", "es", "スペイン語", ("espanol", "spanish", "スペイン語")),
    Language("tl", "Tagalog", "fil", "タガログ語", ("filipino", "タガログ語")),
)}
# LINE's profile `language` (BCP 47) → ours; zh-TW / zh-HK users read simplified Chinese better
# than Japanese, and a language we do not have is best met in English.
LINE_TAGS = {"ja": "ja", "en": "en", "zh": "zh_Hans", "vi": "vi", "pt": "pt_BR", "es": "es",
             "tl": "tl", "fil": "tl"}


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).strip().casefold())
    return "".join(c for c in plain if not unicodedata.combining(c))


_BY_NAME = {_fold(n): lang.code for lang in LANGUAGES.values()
            for n in (lang.name, lang.code, *lang.aliases)}


def by_name(text: str) -> str | None:
    """The language whose own name (or a common alias) is `text`: "English", "Tiếng Việt"."""
    return _BY_NAME.get(_fold(text))


def from_line(tag: str | None) -> str:
    """Our language for the LINE profile's `language` ("en", "zh-Hans", "pt-BR"); Japanese when
    LINE does not say, English for a language we have no catalog for."""
    if not tag:
        return SOURCE
    return LINE_TAGS.get(tag.replace("_", "-").split("-")[0].lower(), "en")


def known(code: str | None) -> str:
    """`code` if it is one of ours, else Japanese (old rows, tampered input)."""
    return code if code in LANGUAGES else SOURCE


@dataclass
class Translator:
    """One language's catalog: source (Japanese) text → its translation, and back."""

    code: str
    catalog: Mapping[str, str] = field(default_factory=dict)

    @property
    def language(self) -> Language:
        return LANGUAGES[self.code]

    def gettext(self, message: str) -> str:
        """The translation, or the Japanese source when the catalog has none."""
        return self.catalog.get(message) or message

    def source_of(self, text: str) -> str | None:
        """The Japanese source of a translated label the user typed or tapped (menu chips)."""
        return self._reverse.get(text)

    @property
    def _reverse(self) -> dict[str, str]:
        cached = self.__dict__.get("_reverse_map")
        if cached is None:
            # Only short labels, only those that name one source text, never a text that is
            # itself a source (やさしい日本語 reuses "やめる" for several), so typed commands keep
            # their meaning.
            cached, twice = {}, set()
            for source, shown in self.catalog.items():
                if not shown or len(shown) > 40 or shown in self.catalog:
                    continue
                if shown in cached and cached[shown] != source:
                    twice.add(shown)
                cached[shown] = source
            for shown in twice:
                del cached[shown]
            self.__dict__["_reverse_map"] = cached
        return cached

    # --- dates and times (always JST, with the weekday) -------------------------------------

    def day(self, day: date) -> str:
        """A date with its weekday: 12月3日(木) / Thu, Dec 3 / 12月3日周四 ..."""
        if self.language.locale == "ja":
            return format_date_ja(day)
        return format_skeleton("MMMEd", day, locale=self.language.locale)

    def full_day(self, day: date) -> str:
        """A date with its year and weekday: 2026年12月1日(火) / Tue, Dec 1, 2026."""
        if self.language.locale == "ja":
            return format_date_ja(day, with_year=True)
        return format_skeleton("yMMMEd", day, locale=self.language.locale)

    def weekday(self, index: int) -> str:
        """A weekday's name (0 = Monday): 木 / Thursday."""
        if self.language.locale == "ja":
            return "月火水木金土日"[index]
        return str(get_day_names("wide", locale=self.language.locale)[index])

    def day_name(self, named: DayName) -> str:
        """A typed date that may not exist, named in this language ("Feb 30", "30 feb")."""
        if self.language.locale in ("ja", "zh_Hans") or named.day is None:
            return str(named)
        if named.month is None or not 1 <= named.month <= 12:
            return str(named.day)
        month = str(get_month_names("abbreviated", locale=self.language.locale)[named.month])
        year = "" if named.year is None else f" {named.year}"
        if self.language.locale in ("en", "fil"):
            return f"{month} {named.day}" + ("" if named.year is None else f",{year}")
        return f"{named.day} {month}{year}"

    def worded(self, message: Worded) -> str:
        """A message with values: its source text translated, the values named in kind."""
        values: dict[str, Any] = {}
        for key, value in message.values.items():
            if isinstance(value, Weekday):
                values[key] = self.weekday(value.number)
            elif isinstance(value, DayName):
                values[key] = self.day_name(value)
            else:
                values[key] = value
        return self.gettext(message.template).format(**values)

    def long_date(self, day: date) -> str:
        """A date in full, without the weekday: 2024年10月1日 / October 1, 2024."""
        if self.language.locale == "ja":
            return f"{day.year}年{day.month}月{day.day}日"
        return format_date(day, format="long", locale=self.language.locale)

    def clock(self, clock: time) -> str:
        """A clock time: 10:00 / 10:00 AM / 10:00."""
        if self.language.locale == "ja":
            return format_time_ja(clock)
        return babel_time(clock, format="short", locale=self.language.locale)

    def moment(self, at: datetime) -> str:
        """A day and a time in JST."""
        local = to_jst(at)
        return f"{self.day(local.date())} {self.clock(local.time())}"

    def span(self, starts_at: datetime, ends_at: datetime) -> str:
        """A session in JST: 12月3日(木) 10:00〜10:30 / Thu, Dec 3 10:00 AM – 10:30 AM."""
        start, end = to_jst(starts_at), to_jst(ends_at)
        dash = "〜" if self.language.locale == "ja" else " – "
        return f"{self.day(start.date())} {self.clock(start.time())}{dash}{self.clock(end.time())}"


def _read_catalog(code: str, root: Path) -> dict[str, str]:
    """The compiled .mo when it is up to date, else the .po itself (a fresh checkout)."""
    folder = root / code / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        return {k: v for k, v in compiled._catalog.items()  # type: ignore[attr-defined]
                if isinstance(k, str) and k}
    if not po.exists():
        return {}
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        parsed = read_po(handle)
    return {m.id: m.string for m in parsed if m.id and isinstance(m.id, str)
            and isinstance(m.string, str) and m.string and not m.fuzzy}


@cache
def translator(code: str, root: Path = LOCALES) -> Translator:
    """The translator for `code` (Japanese for an unknown code), read once per process."""
    code = known(code)
    return Translator(code, {} if code == SOURCE else _read_catalog(code, root))


_active: ContextVar[Translator | None] = ContextVar("madoguchi_language", default=None)


def active() -> Translator:
    """The language of the step, push or page being worded (Japanese when none is)."""
    return _active.get() or translator(SOURCE)


@contextmanager
def speaking(code: str | None) -> Iterator[Translator]:
    """Word everything inside in `code`'s language (the engine's step, one push, one page)."""
    chosen = translator(known(code))
    token = _active.set(chosen)
    try:
        yield chosen
    finally:
        _active.reset(token)


def switch(code: str) -> None:
    """Change the active language inside a `speaking` block (the user just chose another)."""
    _active.set(translator(known(code)))


def _(message: str) -> str:
    """Translate one source text into the active language."""
    return active().gettext(message)


def tr(value: Any) -> Any:
    """A message constant in the active language: texts, and texts inside tuples and dicts.
    Sets are the words users may type and stay as they are."""
    if isinstance(value, Worded):
        return active().worded(value)
    if isinstance(value, str):
        return active().gettext(value)
    if isinstance(value, tuple):
        return tuple(tr(v) for v in value)
    if isinstance(value, list):
        return [tr(v) for v in value]
    if isinstance(value, dict):
        return {k: tr(v) for k, v in value.items()}
    return value


class messages:  # noqa: N801 - reads like the module it stands for
    """A message module seen in the active language: `t = messages(booking_messages)`."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return tr(getattr(self._module, name))


@cache
def _english_holidays(year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays("JP", years=year, language="en_US"))


def holiday_name(day: date) -> str | None:
    """Japan's national holiday on `day`, named in the active language: Japanese for the
    Japanese readers, English (the names the `holidays` package has) for everybody else."""
    from booking import national_holiday_name

    name = national_holiday_name(day)
    if name is None or active().language.locale == "ja":
        return name
    return _english_holidays(day.year).get(day, name)


def format_day(day: date) -> str:
    """`Translator.day` in the active language."""
    return active().day(day)


def format_clock(clock: time) -> str:
    """`Translator.clock` in the active language."""
    return active().clock(clock)


def format_button_moment(at: datetime, limit: int = 20) -> str:
    """A day and a time short enough for a LINE button label (20 characters): the usual form,
    or with the day in numbers (Babel's "MEd": T2, 21/12) where that is too long."""
    words, local = active(), to_jst(at)
    usual = f"{words.day(local.date())} {words.clock(local.time())}"
    if len(usual) <= limit or words.language.locale == "ja":
        return usual
    day = format_skeleton("MEd", local.date(), locale=words.language.locale)
    return f"{day} {words.clock(local.time())}"


def format_span(starts_at: datetime, ends_at: datetime) -> str:
    """`Translator.span` in the active language."""
    return active().span(starts_at, ends_at)


__all__ = ["LANGUAGES", "Language", "Translator", "active", "by_name", "format_button_moment",
           "format_clock", "format_day", "format_span", "from_line", "holiday_name", "known",
           "messages", "speaking", "translator", "tr"]
