"""Sniffing one export (clvlib.data.sniff) and naming its columns (clvlib.data.guess).

References: the text a test encodes is the truth for the encoding (decoding the bytes with the
guess must give it back); the loader's own SQL (``amount_sql``, ``timestamp_sql`` run in
DuckDB) is the truth for how a value reads; dates are written by ``strftime`` in the test.
"""

from __future__ import annotations

import codecs
import datetime as dt

import duckdb
import pytest

from clvlib.config import CsvOptions
from clvlib.data.guess import TIE, assign, name_score, normalise, score_columns
from clvlib.data.sniff import (
    date_reader,
    read_number,
    sniff_date_format,
    sniff_decimal,
    sniff_encoding,
    sniff_file,
)
from clvlib.data.validation import amount_sql, timestamp_sql

POLISH = "Nr zamówienia;Źródło;Wartość\nZ/1;Świętokrzyskie łąki;12,50\nZ/2;źdźbło ąę;7,00\n"


# -- encoding ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("cp1250", "cp1250"),
        ("iso-8859-2", "iso8859-2"),
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
    ],
)
def test_encoding_is_the_one_that_gives_the_polish_letters_back(tmp_path, encoding, expected):
    """cp1250 and ISO-8859-2 differ in ą, ś, ź (and capitals): the guess is the encoding whose
    decoding returns the text that was written."""
    path = tmp_path / "x.csv"
    path.write_bytes(POLISH.encode(encoding))
    guess = sniff_encoding(path)
    assert codecs.lookup(guess.value).name == expected
    assert path.read_bytes().decode(guess.value).lstrip("\ufeff") == POLISH
    assert guess.confidence >= 0.9


def test_shared_letters_only_decode_alike_in_both(tmp_path):
    """'Łódź' without ą/ś/ź... : ó, ł, ż, ć are the same bytes in cp1250 and ISO-8859-2, so
    either reads the file; the guess says so (and names the other)."""
    text = "Miasto;Ulica\nŁomża;Żółta\nKęty;Ćma\n"
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("cp1250"))
    assert text.encode("cp1250") == text.encode("iso-8859-2")
    guess = sniff_encoding(path)
    assert guess.value == "cp1250" and guess.alternatives == ("iso-8859-2",)
    assert "both read it alike" in guess.reason


def test_ascii_and_non_polish_single_byte(tmp_path):
    plain = tmp_path / "a.csv"
    plain.write_bytes(b"a;b\n1;2\n")
    assert sniff_encoding(plain).value == "utf-8"
    german = tmp_path / "g.csv"
    german.write_bytes("Straße;Größe\nä;ü\n".encode("latin-1"))
    guess = sniff_encoding(german)
    assert guess.confidence < 0.6 and "neither" in guess.reason


# -- decimal mark -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "decimal", "thousands"),
    [
        (["1.234,56", "12,5", "7"], ",", "."),
        (["1,234.56", "3.5"], ".", ","),
        (["1 234,56", "0,99"], ",", "a space"),
        (["12.50", "0.125", "10"], ".", None),
    ],
)
def test_decimal_mark_from_the_amounts(values, decimal, thousands):
    guess = sniff_decimal({"Kwota": values}, ";")
    assert guess.value == decimal and guess.confidence > 0.9
    if thousands:
        assert thousands in guess.reason


def test_three_decimals_alone_cannot_tell():
    """'1,234' is 1.234 or 1234: no vote, so the separator's convention is used, stated."""
    guess = sniff_decimal({"Kwota": ["1,234", "5,678"]}, ",")
    assert guess.value == "." and "no number with a fractional part" in guess.reason


def test_columns_disagreeing_on_the_mark_are_reported():
    guess = sniff_decimal({"A": ["1,5", "2,25", "3,75"], "B": ["1.5"]}, ";")
    assert guess.value == "," and "'B' uses '.'" in guess.reason and guess.confidence < 0.9


@pytest.mark.parametrize("decimal", [",", "."])
def test_read_number_reads_what_the_loader_reads(decimal):
    """The profile's number reading equals the loader's amount_sql in DuckDB, value by value."""
    values = ["1 234,56", "1.234,56", "1,234.56", "12,5", "12.5", "1,234", "-3,0", "abc",
              "12,x", "99,99 zł", "1 234", "+7", ",5", "1.234.567",
              "1 234,567", "1.234,5", "12 34", "1\u00a0234,50"]  # fmt: skip
    options = CsvOptions(decimal=decimal)
    con = duckdb.connect()
    for value in values:
        literal = "'" + value + "'"
        (loader,) = con.execute(f"SELECT {amount_sql(literal, 'VARCHAR', options)}").fetchone()
        assert read_number(value, decimal) == loader, value


# -- dates ------------------------------------------------------------------------------------
def dates(fmt: str, n: int = 60) -> list[str]:
    start = dt.datetime(2025, 1, 1, 9, 5, 7)
    return [(start + dt.timedelta(days=3 * i, minutes=7 * i)).strftime(fmt) for i in range(n)]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M"),
        ("%d.%m.%Y", "%d.%m.%Y"),
        ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S"),
        ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M"),  # days above 12 come first
        ("%m/%d/%Y", "%m/%d/%Y"),  # ... second
        ("%Y-%m-%d %H:%M:%S", None),  # ISO: DuckDB casts it without a format
        ("%Y-%m-%dT%H:%M:%S", None),
        ("%d-%m-%Y", "%d-%m-%Y"),
        ("%d.%m.%y", "%d.%m.%y"),
    ],
)
def test_date_format_is_the_one_the_values_were_written_with(written, expected):
    """And the loader, given the guessed format, reads every value as the date written."""
    values = dates(written)
    guess = sniff_date_format({"Data": values})
    assert guess.value == expected
    assert not guess.ambiguous
    con = duckdb.connect()
    options = CsvOptions(date_format=guess.value)
    for value, original in zip(values, dates("%Y-%m-%d %H:%M:%S"), strict=True):
        sql = timestamp_sql("'" + value + "'", "VARCHAR", options)
        (got,) = con.execute(f"SELECT CAST({sql} AS DATE)").fetchone()
        assert got == dt.date.fromisoformat(original[:10]), value
        assert date_reader(guess.value)(value) == got


def test_day_month_order_without_a_day_above_12_is_ambiguous():
    values = [dt.date(2025, m, d).strftime("%d/%m/%Y") for m in range(1, 13) for d in (3, 7, 11)]
    guess = sniff_date_format({"Data": values})
    assert guess.ambiguous and guess.confidence < 0.6
    assert guess.value == "%d/%m/%Y" and guess.alternatives == ("%m/%d/%Y",)
    assert "AMBIGUOUS" in guess.reason


def test_first_of_the_month_settles_the_order():
    """Monthly periods 01/03/2025 ... have day 1 throughout in one reading only."""
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    us = sniff_date_format({"Month": [d.strftime("%m/%d/%Y") for d in months]})
    eu = sniff_date_format({"Miesiąc": [d.strftime("%d/%m/%Y") for d in months]})
    assert (us.value, eu.value) == ("%m/%d/%Y", "%d/%m/%Y")
    assert not us.ambiguous and not eu.ambiguous


def test_two_date_formats_in_one_file_are_reported():
    guess = sniff_date_format({"A": dates("%d.%m.%Y") * 3, "B": dates("%Y-%m-%d")})
    assert guess.value == "%d.%m.%Y"
    assert "'B' (yyyy-mm-dd) uses another format" in guess.reason


# -- layout -----------------------------------------------------------------------------------
def test_title_lines_are_skipped_and_the_header_found(tmp_path):
    path = tmp_path / "raport.csv"
    body = "Nr;ID klienta;Data;Kwota\r\n" + "".join(
        f"Z{i};{100 + i % 7};0{1 + i % 9}.03.2025;{i},50\r\n" for i in range(40)
    )
    path.write_bytes(("Raport sprzedaży;;;\r\nOkres: marzec;;;\r\n;;;\r\n" + body).encode("cp1250"))
    (export,) = sniff_file(path)
    assert export.options["skip_rows"].value == 3
    assert [c.name for c in export.columns] == ["Nr", "ID klienta", "Data", "Kwota"]
    assert export.rows == 40
    assert export.options["sep"].value == ";"


def test_a_file_without_header_is_recognised(tmp_path):
    path = tmp_path / "dane.csv"
    path.write_text("".join(f"Z{i},{100 + i},2025-03-0{1 + i % 9},{i}.50\n" for i in range(30)))
    (export,) = sniff_file(path)
    assert export.options["header"].value is False
    assert [c.name for c in export.columns] == ["column0", "column1", "column2", "column3"]


def test_tab_and_quoted_values_with_the_separator_inside(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text('a\tb\tc\n"x\ty"\t1,5\t2\n"z"\t2,5\t3\n' * 10)
    (export,) = sniff_file(path)
    assert export.options["sep"].value == "\t"
    assert [c.name for c in export.columns] == ["a", "b", "c"]


# -- names ------------------------------------------------------------------------------------
def test_names_are_compared_without_diacritics_case_or_punctuation():
    assert normalise("Nr zamówienia") == normalise("nr_zamowienia") == normalise("NrZamowienia")
    assert normalise("ID klienta") == ("id", "klienta")
    assert normalise("customerId") == ("customer", "id")
    assert name_score("Numer zamówienia", "transactions", "order_id")[0] == 1.0
    assert name_score("ID Klienta (CRM)", "transactions", "customer_id")[0] < 1.0
    assert name_score("Kanał sprzedaży", "transactions", "sales_rep")[0] == 0.0


def test_gross_and_net_value_are_a_choice(tmp_path):
    """'Wartość brutto' and 'Wartość netto' are both revenue by name and content: a choice."""
    path = tmp_path / "sprzedaz.csv"
    rows = [
        f"F/{i};K{i % 9};0{1 + i % 9}.03.2025;{i},00;{i * 123 // 100},{i * 123 % 100:02d}\n"
        for i in range(1, 40)
    ]
    header = "Nr faktury;Kontrahent;Data wystawienia;Wartość netto;Wartość brutto\n"
    path.write_text(header + "".join(rows), encoding="utf-8")
    (export,) = sniff_file(path)
    choices = assign("transactions", score_columns("transactions", export))
    revenue = choices["revenue"]
    assert revenue.status == "choose"
    top = [c.column for c in revenue.candidates[:2]]
    assert sorted(top) == ["Wartość brutto", "Wartość netto"]
    assert abs(revenue.candidates[0].score - revenue.candidates[1].score) < TIE
    assert choices["order_id"].status == "mapped"
    assert choices["order_ts"].candidates[0].column == "Data wystawienia"


def test_a_large_file_is_sampled_up_to_whole_records(tmp_path, monkeypatch):
    """A file larger than the byte sample: the sample stops before a record the cut may have
    split (here one with a line break inside quotes), and holds every record before it."""
    import clvlib.data.sniff as sniff

    monkeypatch.setattr(sniff, "SAMPLE_BYTES", 2000)
    path = tmp_path / "big.csv"
    rows = "".join(f'Z{i};"uwaga\nlinia {i}";{i},50\n' for i in range(400))
    path.write_text("Nr;Uwagi;Kwota\n" + rows, encoding="utf-8")
    (export,) = sniff_file(path)
    assert not export.complete
    text = path.read_bytes()[:2000].decode()
    whole = text.count(",50\n")  # records that end inside the first 2000 bytes
    assert export.rows in (whole - 1, whole)
    assert export.columns[2].numeric == 1.0


def test_one_column_that_could_be_two_things_is_a_choice():
    """'Data' fits opened_at and clicked_at about equally: neither is mapped, the choice names
    the other meaning; a clearly better second column settles it."""
    from clvlib.data.guess import Candidate

    scored = {
        "customer_id": [Candidate("ID klienta", 1.0, "name")],
        "sent_at": [Candidate("Wysłano", 1.0, "name")],
        "channel": [Candidate("Kanał", 1.0, "name")],
        "opened_at": [Candidate("Data", 0.7, "name like 'data'")],
        "clicked_at": [Candidate("Data", 0.68, "name like 'data'")],
    }
    choices = assign("messages", scored)
    assert choices["opened_at"].status == "choose"
    assert "could also be clicked_at" in choices["opened_at"].note
    assert choices["sent_at"].status == choices["channel"].status == "mapped"
    scored["clicked_at"] = [Candidate("Kliknięto", 0.95, "name"), Candidate("Data", 0.68, "")]
    settled = assign("messages", scored)
    assert settled["opened_at"].status == "mapped" and settled["clicked_at"].status == "mapped"
