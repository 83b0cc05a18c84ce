"""Numbers, dates and words per report locale (``pl`` or ``en``).

``pl``: ``1 234,56 zł``, ``12,5 %``, ``23.11.2026``; ``en``: ``PLN 1,234.56``, ``12.5%``,
``2026-11-23``. Thousands are separated by a no-break space in Polish so figures never wrap.
Missing values (``None``/NaN) print as an em dash.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

NBSP = "\u00a0"
DASH = "—"
CURRENCY_SYMBOLS_PL = {"PLN": "zł"}


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def fmt_number(x: Any, locale: str = "en", decimals: int = 0) -> str:
    """A plain number with the locale's thousands separator and decimal mark."""
    if _missing(x):
        return DASH
    text = f"{float(x):,.{decimals}f}"
    if locale == "pl":
        text = text.replace(",", NBSP).replace(".", ",")
    return text.replace("-", "−") if text.startswith("-") else text


def fmt_int(x: Any, locale: str = "en") -> str:
    return fmt_number(x, locale, 0)


def fmt_money(x: Any, currency: str, locale: str = "en", decimals: int | None = None) -> str:
    """Currency amount: ``1 234,56 zł`` (pl) or ``PLN 1,234.56`` (en).

    ``decimals`` defaults to 2 below 100 and 0 from 100 up, which keeps tables readable.
    """
    if _missing(x):
        return DASH
    if decimals is None:
        decimals = 2 if abs(float(x)) < 100 else 0
    number = fmt_number(x, locale, decimals)
    if locale == "pl":
        return f"{number}{NBSP}{CURRENCY_SYMBOLS_PL.get(currency, currency)}"
    return f"{currency}{NBSP}{number}"


def fmt_pct(x: Any, locale: str = "en", decimals: int = 1) -> str:
    """A fraction as a percentage: 0.125 → ``12,5 %`` (pl) or ``12.5%`` (en)."""
    if _missing(x):
        return DASH
    number = fmt_number(100 * float(x), locale, decimals)
    return f"{number}{NBSP}%" if locale == "pl" else f"{number}%"


def fmt_date(d: Any, locale: str = "en") -> str:
    """A date: ``23.11.2026`` (pl) or ``2026-11-23`` (en)."""
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return DASH
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    if isinstance(d, dt.datetime):
        d = d.date()
    if hasattr(d, "date") and not isinstance(d, dt.date):  # pandas Timestamp
        d = d.date()
    return d.strftime("%d.%m.%Y") if locale == "pl" else d.isoformat()


MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "pl": ("styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień",
           "wrzesień", "październik", "listopad", "grudzień"),
}  # fmt: skip
MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "pl": ("sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"),
}


def fmt_month(month: Any, locale: str = "en") -> str:
    """A month of the year (1 … 12) by name: ``grudzień`` (pl, nominative), ``December``."""
    if _missing(month):
        return DASH
    return MONTHS["pl" if locale == "pl" else "en"][int(month) - 1]


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


def t(key: str, locale: str = "en", **values: Any) -> str:
    """The text for ``key`` in ``locale``, with ``{placeholders}`` filled from ``values``."""
    from clvlib.texts import TEXTS

    try:
        entry = TEXTS[key]
    except KeyError as exc:
        raise KeyError(f"no text for key {key!r} in clvlib.texts") from exc
    template = entry.get(locale) or entry["en"]
    return template.format(**values) if values else template
