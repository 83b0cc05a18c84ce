"""Locale formatting per REPORT.md: pl `1 234,56 zł`, `12,5 %`, `23.11.2026`; en `PLN 1,234.56`."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from clvlib.i18n import NBSP, fmt, fmt_date, fmt_money, fmt_number, fmt_pct, t
from clvlib.texts import TEXTS


def test_polish_money_uses_space_thousands_and_decimal_comma():
    assert fmt_money(1234.56, "PLN", "pl", decimals=2) == f"1{NBSP}234,56{NBSP}zł"
    assert fmt_money(1234567, "PLN", "pl") == f"1{NBSP}234{NBSP}567{NBSP}zł"


def test_english_money_puts_currency_code_first():
    assert fmt_money(1234.56, "PLN", "en", decimals=2) == f"PLN{NBSP}1,234.56"


def test_polish_numbers_group_thousands_as_in_report_md():
    assert fmt_number(1234, "pl") == f"1{NBSP}234"
    assert fmt_number(12.5, "pl", 1) == "12,5"


def test_percent_and_dates():
    assert fmt_pct(0.125, "pl") == f"12,5{NBSP}%"
    assert fmt_pct(0.125, "en") == "12.5%"
    assert fmt_date(dt.date(2026, 11, 23), "pl") == "23.11.2026"
    assert fmt_date(dt.date(2026, 11, 23), "en") == "2026-11-23"


def test_negative_numbers_use_a_real_minus_sign():
    assert fmt_money(-750, "PLN", "pl") == f"−750{NBSP}zł"


@pytest.mark.parametrize("missing", [None, math.nan, float("nan")])
def test_missing_values_print_as_dash(missing):
    assert fmt(missing, "money", locale="pl") == "—"
    assert fmt(missing, "pct") == "—"


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
