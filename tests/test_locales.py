"""The same figures in pl_PL, en_GB, en_US, de_DE and cs_CZ, against strings written by hand
from the CLDR conventions of each locale (not from clvlib's output):

- pl: decimal comma, grouping by U+00A0, currency ``#,##0.00 ¤`` (PLN → ``zł``; GBP has no
  Polish symbol), percent ``#,##0%``, short date ``d.MM.y``, stand-alone month ``grudzień``;
- en_GB: ``¤#,##0.00`` (GBP → ``£``), ``#,##0%``, ``dd/MM/y``; en_US: the same numbers, USD → ``$``,
  dates ``M/d/y``; a currency code before the digits is followed by a no-break space
  (CLDR ``currencySpacing``);
- de_DE: decimal comma, grouping by ``.``, currency ``#,##0.00 ¤`` (GBP → ``£``), percent
  ``#,##0 %``, ``dd.MM.y``;
- cs_CZ: grouping by U+00A0, ``#,##0.00 ¤``, ``#,##0 %``, date ``d. M. y``.

Every space CLDR puts in a figure must be a no-break one (figures never wrap in the PDF).
"""

from __future__ import annotations

import datetime as dt
import html
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from clvlib import i18n
from clvlib.config import ClientConfig, Sources, load_config
from clvlib.errors import ConfigError
from clvlib.i18n import fmt, language, t
from clvlib.texts import TEXTS

S = "\u00a0"  # no-break space
DAY = dt.date(2026, 11, 23)

#: locale → (money2 1234.56 GBP, money 995 GBP, money2 1234.56 in the local currency,
#:           pct 0.125, int 1234567, date 2026-11-23, month 12)
EXPECTED = {
    "pl_PL": (f"1{S}234,56{S}GBP", f"995{S}GBP", ("PLN", f"1{S}234,56{S}zł"),
              "12,5%", f"1{S}234{S}567", "23.11.2026", "grudzień"),
    "en_GB": ("£1,234.56", "£995", ("GBP", "£1,234.56"),
              "12.5%", "1,234,567", "23/11/2026", "December"),
    "en_US": ("£1,234.56", "£995", ("USD", "$1,234.56"),
              "12.5%", "1,234,567", "11/23/2026", "December"),
    "de_DE": (f"1.234,56{S}£", f"995{S}£", ("EUR", f"1.234,56{S}€"),
              f"12,5{S}%", "1.234.567", "23.11.2026", "Dezember"),
    "cs_CZ": (f"1{S}234,56{S}£", f"995{S}£", ("CZK", f"1{S}234,56{S}Kč"),
              f"12,5{S}%", f"1{S}234{S}567", f"23.{S}11.{S}2026", "prosinec"),
}  # fmt: skip


@pytest.mark.parametrize("locale", sorted(EXPECTED))
def test_the_same_figures_in_each_locale(locale):
    money2, money, (local, local_money), pct, integer, date, month = EXPECTED[locale]
    assert fmt(1234.56, "money2", locale=locale, currency="GBP") == money2
    assert fmt(995, "money", locale=locale, currency="GBP") == money
    assert fmt(1234.56, "money2", locale=locale, currency=local) == local_money
    assert fmt(0.125, "pct", locale=locale) == pct
    assert fmt(1234567, "int", locale=locale) == integer
    assert fmt(DAY, "date", locale=locale) == date
    assert fmt(pd.Timestamp(DAY), "date", locale=locale) == date
    assert fmt("2026-11-23", "date", locale=locale) == date
    assert fmt(12, "month", locale=locale) == month


@pytest.mark.parametrize(("locale", "date"), [
    ("pl_PL", "05.01.2026"), ("en_GB", "05/01/2026"), ("en_US", "01/05/2026"),
    ("de_DE", "05.01.2026"), ("cs_CZ", f"05.{S}01.{S}2026")])  # fmt: skip
def test_dates_have_two_digit_days_and_months_and_four_digit_years(locale, date):
    assert fmt(dt.date(2026, 1, 5), "date", locale=locale) == date


def test_money_keeps_two_decimals_below_100_and_none_from_100_up():
    assert fmt(99.5, "money", locale="en_GB", currency="GBP") == "£99.50"
    assert fmt(100.4, "money", locale="en_GB", currency="GBP") == "£100"
    assert fmt(100.4, "money2", locale="en_GB", currency="GBP") == "£100.40"
    assert fmt(12345.678, "money", locale="de_DE", currency="EUR") == f"12.346{S}€"
    assert fmt(-750, "money", locale="en_GB", currency="GBP") == "-£750"  # CLDR: -¤#,##0.00


def test_a_currency_code_is_spaced_from_the_digits_a_symbol_is_not():
    assert fmt(995, "money", locale="en_GB", currency="PLN") == f"PLN{S}995"
    assert fmt(995, "money", locale="en_US", currency="CHF") == f"CHF{S}995"
    assert fmt(995, "money", locale="en_US", currency="EUR") == "€995"


def test_decimals_and_percent_digits_follow_the_kind():
    assert fmt(2.25, "num1", locale="de_DE") == "2,2"  # half to even, as Python's round
    assert fmt(1234.5, "num2", locale="en_US") == "1,234.50"
    assert fmt(0.4, "pct0", locale="pl_PL") == "40%"
    assert fmt(0.4, "pct0", locale="de_DE") == f"40{S}%"


def test_month_names_are_the_nominative_and_abbreviations_stand_alone():
    assert i18n.month_names("pl_PL")[0] == "styczeń"  # not "stycznia" (genitive, in a date)
    assert i18n.month_names("pl_PL", "abbreviated")[11] == "gru"
    assert i18n.month_names("de_DE", "abbreviated")[2] == "Mär"


@pytest.mark.parametrize("locale", ["pl", "pl_PL", "en", "en_GB", "en_US", "de_DE", "cs_CZ",
                                    "fr_FR"])  # fmt: skip
def test_no_figure_can_wrap_at_an_ordinary_space(locale):
    figures = [
        (1234567.891, "money2", "EUR"), (-1234567, "money", "PLN"), (1234567, "int", ""),
        (0.125, "pct", ""), (DAY, "date", ""), (12, "month", ""), (12345.6, "num1", ""),
    ]  # fmt: skip
    shown = [fmt(v, kind, locale=locale, currency=cur) for v, kind, cur in figures]
    assert not [s for s in shown if " " in s], shown


# -- the language of the texts ----------------------------------------------------------------
@pytest.mark.parametrize(("locale", "lang"), [
    ("pl", "pl"), ("pl_PL", "pl"), ("en", "en"), ("en_GB", "en"), ("de_DE", "en"),
    ("cs_CZ", "en"), ("fr_FR", "en"), ("no such locale", "en")])  # fmt: skip
def test_texts_are_polish_for_polish_locales_and_english_for_every_other(locale, lang):
    assert language(locale) == lang
    key = "report.title"
    assert TEXTS[key]["pl"] != TEXTS[key]["en"]
    assert t(key, locale) == TEXTS[key][lang]


# -- client.yml ---------------------------------------------------------------------------------
def config_with(locale: str) -> ClientConfig:
    return ClientConfig(client="c", locale=locale, sources=Sources(transactions={"path": "t.csv"}))


@pytest.mark.parametrize(("given", "kept"), [
    ("pl", "pl"), ("en", "en"), ("pl_PL", "pl_PL"), ("en_GB", "en_GB"), ("en-GB", "en_GB"),
    ("de_DE", "de_DE"), ("cs_CZ", "cs_CZ")])  # fmt: skip
def test_client_yml_accepts_cldr_locales_in_either_spelling(given, kept):
    assert config_with(given).locale == kept


@pytest.mark.parametrize("bad", ["xx", "en_XQ", "polish"])
def test_an_unknown_locale_is_a_config_error_naming_the_field(tmp_path, bad):
    path = tmp_path / "client.yml"
    raw = {"client": "c", "locale": bad, "sources": {"transactions": {"path": "t.csv"}}}
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path, check_files=False)
    message = str(err.value)
    assert "'locale'" in message and "CLDR" in message and bad in message


def test_a_misspelt_locale_is_answered_with_close_ones():
    with pytest.raises(ValueError, match="did you mean .*en_GB"):
        i18n.normalize_locale("en_GBB")


# -- end to end ---------------------------------------------------------------------------------
def test_an_en_gb_audit_writes_pounds_and_british_dates_in_its_report(monkeypatch):
    """Step I's simple and historical CLV on an ``en-GB`` audit of a GBP client: its
    sentences and tables show ``£`` before the digits and dates as dd/mm/yyyy."""
    from clvlib.audit import Audit
    from clvlib.narrative import calculation as step_one
    from clvlib.report import display

    rng = np.random.default_rng(19)
    n = 40
    orders = pd.DataFrame({
        "customer_id": [f"c{i % 25}" for i in range(n)],
        "order_id": [str(i) for i in range(n)],
        "order_ts": pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
        "revenue": rng.uniform(20.0, 900.0, n).round(2)})  # fmt: skip
    audit = Audit.from_frames(orders, observation_end="2024-12-31", locale="en-GB")
    audit.config = audit.config.model_copy(update={"currency": "GBP"})
    blocks: list[str] = []
    monkeypatch.setattr(display, "emit", lambda markup: blocks.append(markup) or markup)
    step = step_one.start(audit)
    step_one.show_simple(audit, step)
    step_one.show_history(audit, step)
    shown = html.unescape("\n".join(blocks))
    assert audit.locale == "en_GB"
    assert re.search(r"£\d{1,3}(,\d{3})*(\.\d\d)?\b", shown)
    assert not re.search(r"GBP\s?\d|\d\s?GBP", shown)  # the symbol, never the code
    first = orders.groupby("customer_id")["order_ts"].min().dt.date
    british = {f"{d.day:02d}/{d.month:02d}/{d.year}" for d in first}
    assert british & set(re.findall(r"\d\d/\d\d/\d{4}", shown))
    assert not re.search(r"\d{4}-\d\d-\d\d", shown)  # no ISO date left


def test_validate_prints_counts_and_window_in_the_clients_locale(tmp_path):
    """``clv-audit validate`` for a de_DE client: 1.200 rows (CLDR de: '.' groups thousands)
    and the window as 01.01.2024 – 31.01.2024, not 1,200 and ISO dates."""
    from robustness_cases import cli

    lines = ["customer_id,order_ts,revenue"]
    lines += [f"{i % 300},2024-01-{1 + i % 31:02d},{10 + i % 7}" for i in range(1200)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "client.yml"
    config.write_text(
        "client: Laden\nlocale: de_DE\ncurrency: EUR\nobservation_end: 2024-01-31\n"
        "sources: {transactions: {path: t.csv}}\n",
        encoding="utf-8",
    )
    code, out, err = cli("validate", str(config))
    assert code == 0, err
    assert "window: 01.01.2024 – 31.01.2024" in out
    row = next(line for line in out.splitlines() if line.startswith("transactions"))
    assert row.split()[1:3] == ["1.200", "1.200"]
