"""Property-based tests (hypothesis, derandomized: CI and a developer see the same examples).

``rfm_summary`` is checked against a naive pure-Python reference written here from its
definition (purchase days, same-day merge, returns) and against invariants that hold for any
data; the parsers against round trips: a number formatted the Polish way (decimal comma, space
or dot thousands) or the English way reads back as the same number, a ``dd.mm.yyyy`` date as the
same date, and text that is not a number in the dialect never reads as one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clvlib.calculation import rfm_summary
from clvlib.config import CsvOptions
from clvlib.data.validation import amount_sql, date_shape, text_sql, timestamp_sql

SETTINGS = settings(
    derandomize=True,
    deadline=None,  # DuckDB per example, on a shared machine
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
START = dt.datetime(2024, 1, 1)


# -- rfm_summary ------------------------------------------------------------------------------
row = st.tuples(
    st.sampled_from(["A", "B", "C", "D", "E"]),  # customer
    st.integers(0, 120),  # day
    st.integers(0, 24 * 60 - 1),  # minute of the day
    st.integers(-5_000, 50_000).map(lambda cents: cents / 100),  # revenue (negative: a return)
    st.booleans(),  # is_return flag (with a positive amount: a flagged return)
)


def frame_of(rows) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "order_ts": [START + dt.timedelta(days=r[1], minutes=r[2]) for r in rows],
            "revenue": [r[3] for r in rows],
            "is_return": [r[4] for r in rows],
        }
    )


def reference(rows, end: dt.date, cut: dt.date, unit: float = 7.0) -> dict[str, dict]:
    """rfm_summary from its definition, one customer at a time, in plain Python."""
    days: dict = defaultdict(lambda: defaultdict(lambda: [0.0, False]))
    for customer, day, minute, revenue, flagged in rows:
        date = (START + dt.timedelta(days=day, minutes=minute)).date()
        if date > end:
            continue
        cell = days[customer][date]
        cell[0] += revenue
        cell[1] = cell[1] or not (flagged or revenue < 0)  # a purchase row that day
    out = {}
    for customer, cells in days.items():
        purchase = sorted(d for d, (_, bought) in cells.items() if bought)
        before = [d for d in purchase if d <= cut]
        if not before:
            continue
        n = len(before)
        repeat = [cells[d][0] for d in before[1:]]
        out[customer] = {
            "frequency": n - 1,
            "recency": (before[-1] - before[0]).days / unit,
            "T": (cut - before[0]).days / unit,
            "monetary_value": sum(repeat) / len(repeat) if repeat else 0.0,
            "frequency_holdout": sum(1 for d in purchase if d > cut),
        }
    return out


@SETTINGS
@given(
    rows=st.lists(row, min_size=1, max_size=40),
    end_day=st.integers(60, 130),
    holdout_days=st.integers(0, 50),
)
def test_rfm_summary_matches_a_naive_reference(rows, end_day, holdout_days):
    """Per customer, every column equals the reference (to float rounding); customers without
    a purchase day by the calibration end are absent in both."""
    end = (START + dt.timedelta(days=end_day)).date()
    cut = end - dt.timedelta(days=holdout_days)
    got = rfm_summary(frame_of(rows), observation_end=end, calibration_end=cut, time_unit="W")
    want = reference(rows, end, cut)
    assert sorted(got.index) == sorted(want)
    for customer, expected in want.items():
        for column, value in expected.items():
            assert got.loc[customer, column] == pytest.approx(value, rel=1e-12, abs=1e-9), (
                customer,
                column,
            )


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=40))
def test_rfm_summary_invariants(rows):
    """For any data: 0 ≤ recency ≤ T; 0 ≤ frequency ≤ (distinct days with a row) − 1;
    monetary_value is 0 without a repeat purchase; one row per customer, sorted."""
    frame = frame_of(rows)
    got = rfm_summary(frame, time_unit="D")
    distinct_days = frame.assign(day=frame["order_ts"].dt.date).groupby("customer_id")["day"]
    distinct_days = distinct_days.nunique()
    assert list(got.index) == sorted(got.index) and got.index.is_unique
    assert ((got["recency"] >= 0) & (got["recency"] <= got["T"])).all()
    assert (got["frequency"] >= 0).all()
    assert (got["frequency"] <= distinct_days.reindex(got.index) - 1).all()
    assert (got.loc[got["frequency"] == 0, "monetary_value"] == 0).all()
    assert (got["T"] >= 0).all()


# -- parsers ----------------------------------------------------------------------------------
def evaluate(make_sql, values: list[str]) -> list:
    """``make_sql(text)`` over ``values`` in one DuckDB query, in order."""
    duck = duckdb.connect()
    duck.execute("CREATE TABLE v (i INTEGER, x VARCHAR)")
    duck.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(values)))
    sql = f"SELECT {make_sql(text_sql('x', 'VARCHAR'))} FROM v ORDER BY i"
    return [r[0] for r in duck.execute(sql).fetchall()]


def formatted(cents: int, decimals: int, decimal: str, thousands: str) -> str:
    """``cents`` (hundredths) written with ``decimals`` places, ``decimal`` mark and
    ``thousands`` separator every three digits, as a spreadsheet export would."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    groups = f"{whole:,}".replace(",", thousands)
    text = sign + groups
    if decimals:
        text += decimal + f"{frac:02d}"[:decimals]
    return text


amounts = st.integers(-(10**11), 10**11)


@SETTINGS
@given(
    values=st.lists(amounts, min_size=1, max_size=20),
    thousands=st.sampled_from(["", " ", "\u00a0", "\u202f", "."]),
)
def test_polish_amounts_round_trip(values, thousands):
    """'1 234 567,89', '1.234.567,89', '1234567,89' (and the no-break spaces of Excel) read
    back as the number written, for any amount; a whole number may drop the decimals."""
    options = CsvOptions(decimal=",")
    texts = [formatted(v, 2, ",", thousands) for v in values]
    texts += [formatted(v - v % 100, 0, ",", thousands) for v in values]
    expected = [v / 100 for v in values] + [(v - v % 100) / 100 for v in values]
    got = evaluate(lambda t: amount_sql(t, "VARCHAR", options), texts)
    assert got == pytest.approx(expected, rel=1e-15, abs=1e-9), list(zip(texts, got, strict=True))


@SETTINGS
@given(values=st.lists(amounts, min_size=1, max_size=20), thousands=st.sampled_from(["", ","]))
def test_english_amounts_round_trip(values, thousands):
    """'1,234,567.89' and '1234567.89' with a decimal point read back as written."""
    options = CsvOptions(decimal=".")
    texts = [formatted(v, 2, ".", thousands) for v in values]
    got = evaluate(lambda t: amount_sql(t, "VARCHAR", options), texts)
    assert got == pytest.approx([v / 100 for v in values], rel=1e-15, abs=1e-9)


@SETTINGS
@given(
    number=amounts,
    junk=st.sampled_from([" zł", "zł", "PLN ", " EUR", "€", "$", "x", "?", " n/d", "%"]),
    before=st.booleans(),
)
def test_text_around_a_number_never_reads_as_a_number(number, junk, before):
    """A currency mark or any text with the number is unreadable (NULL: counted as
    non_numeric_amount), never silently stripped."""
    text = formatted(number, 2, ",", " ")
    text = junk + text if before else text + junk
    assert evaluate(lambda t: amount_sql(t, "VARCHAR", CsvOptions(decimal=",")), [text]) == [None]


@SETTINGS
@given(number=st.integers(1_000, 10**9))
def test_a_decimal_point_in_a_comma_file_is_not_a_decimal_point(number):
    """'12.50' in a decimal-comma file is unreadable, and '1.250' is a thousands grouping
    (1250): a point is never taken as the decimal mark there."""
    options = CsvOptions(decimal=",")
    two = f"{number // 100}.{number % 100:02d}"
    got = evaluate(
        lambda t: amount_sql(t, "VARCHAR", options), [two, f"{number:,}".replace(",", ".")]
    )
    assert got == [None, float(number)]


dates = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31))


@SETTINGS
@given(values=st.lists(dates, min_size=1, max_size=20), with_time=st.booleans())
def test_polish_dates_round_trip(values, with_time):
    """dd.mm.yyyy (with or without hh:mm) reads back as the date (and minute) written."""
    options = CsvOptions(date_format="%d.%m.%Y")
    fmt = "%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y"
    texts = [v.strftime(fmt) for v in values]
    got = evaluate(lambda t: timestamp_sql(t, "VARCHAR", options), texts)
    expected = [
        v.replace(second=0, microsecond=0)
        if with_time
        else v.replace(hour=0, minute=0, second=0, microsecond=0)
        for v in values
    ]
    assert got == expected


@SETTINGS
@given(
    year=st.integers(1900, 2100),
    month=st.integers(1, 13),
    day=st.integers(1, 32),
)
def test_impossible_dates_are_told_apart(year, month, day):
    """Any dd.mm.yyyy text has the format's shape; it reads as a date exactly when the calendar
    has that day (31.02 and month 13 do not read, and are then impossible, not unparseable)."""
    text = f"{day:02d}.{month:02d}.{year}"
    try:
        real = dt.datetime(year, month, day)
    except ValueError:
        real = None
    options = CsvOptions(date_format="%d.%m.%Y")
    assert evaluate(lambda t: timestamp_sql(t, "VARCHAR", options), [text]) == [real]
    assert re.fullmatch(date_shape(options.date_formats), text)
