"""Numbers, money, percentages, dates and words per report locale, through Babel (CLDR).

``locale`` is any CLDR locale: ``pl``, ``pl_PL``, ``en``, ``en_GB``, ``en_US``, ``de_DE``,
``cs_CZ`` … (``en-GB`` is read as ``en_GB``). It sets how figures look; the language of the
texts follows from it (``language``): Polish for ``pl*``, English for every other locale.

What Babel gives, with the report's locale (examples for pl_PL / en_GB / de_DE):

- numbers: the locale's decimal pattern, fixed decimals: ``1 234,5`` / ``1,234.5`` / ``1.234,5``
- money: the locale's standard currency pattern and the currency's symbol where the locale has one
  (``1 234 zł``, ``£1,234``, ``1.234 €``; a code where it has none: ``PLN 1,234`` in en_GB), with
  2 decimals below 100 and 0 from 100 up, which keeps tables readable
- percentages: the locale's percent pattern (``12,5%`` / ``12.5%`` / ``12,5 %``)
- dates: the numeric CLDR skeleton ``yMMdd`` — four-digit year, two-digit month and day, in the
  locale's order (``05.01.2026`` / ``05/01/2026`` / ``05.01.2026``; en_US ``01/05/2026``)
- months: wide stand-alone names, i.e. the nominative (``grudzień``, ``December``, ``Dezember``)

Hand-written, where Babel has no answer:

- a missing value (None, NaN, ±inf) prints as an em dash, ``DASH``: the report finds holes by it
  (Babel would print ``NaN`` and ``∞``);
- CLDR's currency spacing — a no-break space between a currency *code* and the digits
  (``PLN 1,234``, not ``PLN1,234``) — which Babel 2.18 does not apply (``_space_currency``);
- every ordinary space in Babel's output becomes a no-break space so that a figure never wraps
  in the PDF (CLDR already groups with U+00A0 in pl/cs and U+202F in fr; both are kept);
- a figure that rounds to zero loses its sign (``0%``, not ``-0%``);
- a date skeleton's day and month are widened to two digits (``_date_pattern``), as UTS #35's
  skeleton matching asks and Babel does not do.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import difflib
import functools
import math
import re
import unicodedata
from typing import Any, Literal

from babel import Locale, UnknownLocaleError, dates, numbers
from babel.localedata import locale_identifiers

NBSP = "\u00a0"
DASH = "—"
Language = Literal["pl", "en"]


# -- locales --------------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _babel(locale: str) -> Locale:
    return Locale.parse(str(locale).strip().replace("-", "_"))


def normalize_locale(value: str) -> str:
    """The canonical CLDR name of ``value`` (``en-GB`` → ``en_GB``, ``pl`` → ``pl``).

    Raises ``ValueError`` naming close CLDR locales when ``value`` is not one."""
    try:
        return str(_babel(value))
    except (UnknownLocaleError, ValueError, TypeError):
        pass
    wanted = str(value).strip().replace("-", "_")
    known = sorted(locale_identifiers())
    close = difflib.get_close_matches(wanted, known, n=4, cutoff=0.6)
    same_language = [k for k in known if k.split("_")[0] == wanted.split("_")[0].lower()]
    hints = close or same_language[:6]
    hint = f" — did you mean {', '.join(hints)}?" if hints else ""
    raise ValueError(f"not a CLDR locale{hint} (e.g. pl, pl_PL, en, en_GB, en_US, de_DE, cs_CZ)")


def language(locale: str) -> Language:
    """The language of the report's texts: ``pl`` for Polish locales, else ``en``."""
    try:
        return "pl" if _babel(locale).language == "pl" else "en"
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"


# -- numbers --------------------------------------------------------------------------------
def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


@functools.lru_cache(maxsize=256)
def _pattern(locale: str, kind: str, decimals: int) -> numbers.NumberPattern:
    """The locale's ``kind`` pattern (decimal, percent, currency) with exactly ``decimals``."""
    loc = _babel(locale)
    found = {
        "decimal": loc.decimal_formats,
        "percent": loc.percent_formats,
        "currency": loc.currency_formats,
    }[kind]
    pattern = copy.copy(found[None] if kind != "currency" else found["standard"])
    pattern.frac_prec = (decimals, decimals)
    return pattern


def _unbreakable(text: str) -> str:
    return text.replace(" ", NBSP)


def _signless_zero(x: float, decimals: int) -> float:
    return 0.0 if round(x, decimals) == 0 else x


def _wide_decimals():
    """A decimal context wide enough for any float: Babel rounds through ``Decimal.quantize``,
    which raises InvalidOperation beyond the default 28 digits (e.g. 1e30 from a model at a
    boundary); a float has at most 309 integer digits."""
    return decimal.localcontext(prec=400)


def fmt_number(x: Any, locale: str = "en", decimals: int = 0) -> str:
    """A plain number with the locale's grouping and decimal mark and exactly ``decimals``."""
    if _missing(x):
        return DASH
    value = _signless_zero(float(x), decimals)
    pattern = _pattern(locale, "decimal", decimals)
    with _wide_decimals():
        text = numbers.format_decimal(value, pattern, locale=_babel(locale))
    return _unbreakable(text)


def fmt_int(x: Any, locale: str = "en") -> str:
    return fmt_number(x, locale, 0)


def _spaced(ch: str) -> bool:
    """CLDR's currencyMatch ``[[:^S:]&[:^Z:]]``: a character that is neither a symbol nor a
    space (the letters of ``PLN``, ``zł``, ``Kč``; not ``£``, ``€``, ``$``)."""
    return bool(ch) and unicodedata.category(ch)[0] not in "SZ"


def _space_currency(text: str, symbol: str, minus: str) -> str:
    """CLDR currency spacing, which Babel 2.18 does not apply: a currency symbol whose edge
    next to the digits is a letter is kept apart from them by a no-break space
    (``PLN 1,234`` where Babel writes ``PLN1,234``; ``£1,234`` and ``US$1,234`` stay)."""
    sign, body = (minus, text[len(minus) :]) if text.startswith(minus) else ("", text)
    rest = body[len(symbol) :]
    if body.startswith(symbol) and _spaced(symbol[-1:]) and rest[:1].isdigit():
        return f"{sign}{symbol}{NBSP}{rest}"
    rest = body[: len(body) - len(symbol)]
    if body.endswith(symbol) and _spaced(symbol[:1]) and rest[-1:].isdigit():
        return f"{sign}{rest}{NBSP}{symbol}"
    return text


def fmt_money(x: Any, currency: str, locale: str = "en", decimals: int | None = None) -> str:
    """A currency amount in the locale's currency pattern: ``1 234,56 zł`` (pl),
    ``£1,234.56`` (en_GB + GBP), ``PLN 1,234.56`` (en + PLN).

    ``decimals`` defaults to 2 below 100 (0 for an exact zero: ``£0``, not ``£0.00``) and 0 from
    100 up, which keeps tables readable.
    """
    if _missing(x):
        return DASH
    value = float(x)
    if decimals is None:
        decimals = 2 if 0 < abs(value) < 100 else 0  # a zero reads £0, not £0.00
    value = _signless_zero(value, decimals)
    loc = _babel(locale)
    with _wide_decimals():
        text = numbers.format_currency(
            value,
            currency,
            _pattern(locale, "currency", decimals),
            locale=loc,
            currency_digits=False,
        )
    symbol = numbers.get_currency_symbol(currency, locale=loc)
    minus = numbers.get_minus_sign_symbol(loc)
    return _unbreakable(_space_currency(text, symbol, minus))


def fmt_pct(x: Any, locale: str = "en", decimals: int = 1) -> str:
    """A fraction as a percentage in the locale's pattern: 0.125 → ``12,5%`` (pl),
    ``12.5%`` (en), ``12,5 %`` (de)."""
    if _missing(x):
        return DASH
    value = _signless_zero(100 * float(x), decimals) / 100
    pattern = _pattern(locale, "percent", decimals)
    with _wide_decimals():
        text = numbers.format_percent(value, pattern, locale=_babel(locale))
    return _unbreakable(text)


# -- dates ----------------------------------------------------------------------------------
DATE_SKELETON = "yMMdd"  # numeric: four-digit year, two-digit month and day, the locale's order


@functools.lru_cache(maxsize=64)
def _date_pattern(locale: str) -> str:
    """The locale's pattern for ``DATE_SKELETON`` with its day and month widened to two digits,
    as UTS #35 asks of skeleton matching (Babel 2.18 keeps the matched pattern's ``d``: pl
    ``d.MM.y`` would give ``1.01.2023``; widened: ``01.01.2023``)."""
    loc = _babel(locale)
    key = dates.match_skeleton(DATE_SKELETON, loc.datetime_skeletons)
    pattern = str(getattr(loc.datetime_skeletons[key], "pattern", loc.datetime_skeletons[key]))
    parts = pattern.split("'")  # odd parts are quoted literals: left alone
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"(?<!d)d(?!d)", "dd", re.sub(r"(?<![ML])[ML](?![ML])", "MM", parts[i]))
    return "'".join(parts)


def _as_date(d: Any) -> dt.date | None:
    if d is None or (not isinstance(d, str) and d != d):  # NaN and NaT differ from themselves
        return None
    if isinstance(d, str):
        return dt.date.fromisoformat(d[:10])
    if isinstance(d, dt.datetime):
        return d.date()
    if hasattr(d, "date") and not isinstance(d, dt.date):  # pandas Timestamp
        return d.date()
    return d


def fmt_date(d: Any, locale: str = "en") -> str:
    """A date in the locale's numeric form: ``23.11.2026`` (pl, de), ``23/11/2026`` (en_GB),
    ``11/23/2026`` (en, en_US)."""
    day = _as_date(d)
    if day is None:
        return DASH
    return _unbreakable(dates.format_date(day, _date_pattern(locale), locale=_babel(locale)))


def fmt_year_month(d: Any, locale: str = "en") -> str:
    """A calendar month in the locale's numeric form (CLDR skeleton ``yMM``): ``01.2024`` (pl),
    ``01/2024`` (en_GB), ``1/2024`` (en_US)."""
    day = _as_date(d)
    if day is None:
        return DASH
    return _unbreakable(dates.format_skeleton("yMM", day, locale=_babel(locale)))


def month_names(locale: str = "en", width: str = "wide") -> tuple[str, ...]:
    """The twelve month names (January first), stand-alone (nominative) form; ``width`` is
    ``wide`` (``grudzień``) or ``abbreviated`` (``gru``)."""
    names = dates.get_month_names(width, "stand-alone", locale=_babel(locale))
    return tuple(names[m] for m in range(1, 13))


def fmt_month(month: Any, locale: str = "en") -> str:
    """A month of the year (1 … 12) by name: ``grudzień`` (pl, nominative), ``December``."""
    if _missing(month):
        return DASH
    return month_names(locale)[int(month) - 1]


def fmt(x: Any, kind: str, *, locale: str = "en", currency: str = "PLN") -> str:
    """Format one value by kind: money, money2, int, num1, num2, pct, pct0, date, month
    (1 … 12 → its name), text, pre."""
    if kind == "month":
        return fmt_month(x, locale)
    if kind == "money":
        return fmt_money(x, currency, locale)
    if kind == "money2":
        return fmt_money(x, currency, locale, decimals=2)
    if kind == "int":
        return fmt_int(x, locale)
    if kind.startswith("num"):
        return fmt_number(x, locale, int(kind[3:] or 2))
    if kind.startswith("pct"):
        return fmt_pct(x, locale, int(kind[3:] or 1))
    if kind == "date":
        return fmt_date(x, locale)
    return DASH if _missing(x) else str(x)  # text, and ``pre`` (already formatted)


# -- words ----------------------------------------------------------------------------------
def t(key: str, locale: str = "en", **values: Any) -> str:
    """The text for ``key`` in ``locale``'s language, ``{placeholders}`` filled from ``values``."""
    from clvlib.texts import TEXTS

    try:
        entry = TEXTS[key]
    except KeyError as exc:
        raise KeyError(f"no text for key {key!r} in clvlib.texts") from exc
    template = entry.get(language(locale)) or entry["en"]
    return template.format(**values) if values else template
