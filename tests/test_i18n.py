"""Locale formatting (CLDR through Babel): pl `1 234,56 zł`, `12,5%`, `23.11.2026`;
en `PLN 1,234.56` (CLDR currency spacing), `12.5%`, `11/23/2026`. The same figure in pl_PL,
en_GB, en_US, de_DE and cs_CZ is in tests/test_locales.py."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from clvlib.i18n import NBSP, fmt, fmt_date, fmt_money, fmt_number, fmt_pct, t
from clvlib.texts import TEXTS


def test_polish_money_uses_space_thousands_and_decimal_comma():
    assert fmt_money(1234.56, "PLN", "pl", decimals=2) == f"1{NBSP}234,56{NBSP}zł"
    assert fmt_money(1234567, "PLN", "pl") == f"1{NBSP}234{NBSP}567{NBSP}zł"


def test_english_money_puts_currency_code_first_apart_from_the_digits():
    # CLDR en: pattern ¤#,##0.00, PLN has no English symbol, and currencySpacing puts a
    # no-break space between a letter code and a digit (Babel 2.18 does not: i18n does)
    assert fmt_money(1234.56, "PLN", "en", decimals=2) == f"PLN{NBSP}1,234.56"
    assert fmt_money(-1234.56, "PLN", "en", decimals=2) == f"-PLN{NBSP}1,234.56"


def test_polish_numbers_group_thousands_as_in_report_md():
    assert fmt_number(12345, "pl") == f"12{NBSP}345"  # 1234 may print 1234: CLDR's minimum grouping
    assert fmt_number(12.5, "pl", 1) == "12,5"


def test_percent_and_dates():
    assert fmt_pct(0.125, "pl") == "12,5%"  # CLDR pl percent pattern #,##0% (no space)
    assert fmt_pct(0.125, "en") == "12.5%"
    assert fmt_date(dt.date(2026, 11, 23), "pl") == "23.11.2026"
    assert fmt_date(dt.date(2026, 11, 23), "en") == "11/23/2026"  # CLDR en is American English


def test_negative_numbers_use_the_locales_minus_sign_and_zero_has_none():
    assert fmt_money(-750, "PLN", "pl") == f"-750{NBSP}zł"  # CLDR pl minusSign is U+002D
    assert fmt_pct(-0.0001, "en") == "0.0%"
    assert fmt_number(-0.4, "en") == "0"


@pytest.mark.parametrize("missing", [None, math.nan, float("nan")])
def test_missing_values_print_as_dash(missing):
    assert fmt(missing, "money", locale="pl") == "—"
    assert fmt(missing, "pct") == "—"
    assert fmt(missing, "date", locale="en_GB") == "—"


@pytest.mark.parametrize("infinite", [math.inf, -math.inf])
def test_an_infinite_figure_prints_as_a_dash_not_babels_infinity_sign(infinite):
    assert fmt(infinite, "money", locale="en_GB", currency="GBP") == "—"
    assert fmt(infinite, "num1", locale="de_DE") == "—"


def test_every_text_has_both_languages_and_same_placeholders():
    import string

    for key, entry in TEXTS.items():
        assert set(entry) == {"en", "pl"}, key
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in entry
        ]
        assert fields[0] == fields[1], key


def test_unknown_text_key_is_an_error():
    with pytest.raises(KeyError):
        t("no.such.key", "pl")


def test_missing_dates_print_as_the_dash():
    """NaT (a missing date in a pandas column) is a datetime subclass: it must print as the
    em dash the report detects holes by, not raise."""
    import pandas as pd

    from clvlib.i18n import DASH, fmt

    for missing in (pd.NaT, None, float("nan"), pd.Timestamp("NaT")):
        assert fmt(missing, "date", locale="en_GB") == DASH
    assert fmt(pd.Timestamp("2026-01-05 13:00"), "date", locale="en_GB") == "05/01/2026"


def test_a_zero_amount_has_no_decimals():
    """A scenario that leaves a value unchanged reads £0 beside £347,684, not £0.00; small
    amounts keep their pence (CLDR en_GB pattern ¤#,##0.00)."""
    from clvlib.i18n import fmt

    assert fmt(0, "money", locale="en_GB", currency="GBP") == "£0"
    assert fmt(-0.0, "money", locale="pl_PL", currency="PLN") == "0\u00a0zł"
    assert fmt(0.5, "money", locale="en_GB", currency="GBP") == "£0.50"


def test_huge_values_format_instead_of_raising():
    """A model at a boundary can put 1e30 in a parameter table (worlds 2, 6, 30 of the zoo):
    Babel rounds through Decimal.quantize, which raised InvalidOperation beyond 28 digits."""
    from clvlib.i18n import fmt

    assert fmt(1.5e30, "num2", locale="en_GB") == "1,500,000,000,000,000,000,000,000,000,000.00"
    assert fmt(-2e29, "money", locale="en_GB", currency="GBP").startswith("-£200,000,000")
    assert fmt(1e300, "pct0", locale="en_GB").endswith("000%")
    assert fmt(1.7e308, "int", locale="de_DE").count(".") == 102  # 309 digits, grouped by 3
