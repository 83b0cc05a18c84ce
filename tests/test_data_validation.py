"""Column mapping, parsing and row accounting (clvlib.data.validation via load_tables): every row
is used or excluded with one counted reason, rows_read == rows_used + Σ rows_excluded, and the
problems a user must fix stop the load with a message naming the file, the column and the fix.

Every count below is a hand count of the fixture, stated next to the assertion."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import ibis
import pandas as pd
import pytest
import yaml

from clvlib.config import CsvOptions, load_config
from clvlib.data.load import load_table, load_tables
from clvlib.data.validation import amount_sql, boolean_sql, is_personal, text_sql, timestamp_sql
from clvlib.errors import ConfigError, DataError

DATA = Path(__file__).parent / "data"
POLISH_CSV = {"sep": ";", "decimal": ",", "encoding": "cp1250", "date_format": "%d.%m.%Y"}
SIMPLE = "customer_id,order_ts,revenue\nA,2024-01-05,10\n"


def make_config(tmp_path: Path, sources: dict, files: dict | None = None, **top):
    """Write the files and a client.yml with ``sources`` (and top-level keys) in ``tmp_path``."""
    for name, content in (files or {}).items():
        target = tmp_path / name
        if isinstance(content, Path):
            shutil.copy(content, target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    doc = {"client": "Test", **top, "sources": sources}
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    (tmp_path / "client.yml").write_text(text, encoding="utf-8")
    return load_config(tmp_path / "client.yml")


def load(config, con=None):
    return load_tables(config, con or ibis.duckdb.connect(), progress=False)


def frame(loaded, table="transactions") -> pd.DataFrame:
    """A tiny canonical table as pandas, indexed by the file's data row number."""
    return loaded.tables[table].to_pandas().set_index("source_row")


# -- parsing expressions ------------------------------------------------------------------------
def evaluate(expression, values: list[str | None]) -> list:
    duck = duckdb.connect()
    duck.execute("CREATE TABLE v (i INTEGER, x VARCHAR)")
    duck.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(values)))
    sql = f"SELECT {expression(text_sql('x', 'VARCHAR'))} FROM v ORDER BY i"
    return [r[0] for r in duck.execute(sql).fetchall()]


COMMA = [
    ("1 234,56", 1234.56),
    ("1\u00a0234,56", 1234.56),  # no-break space
    ("1\u202f234,56", 1234.56),  # narrow no-break space
    (" 12,50 ", 12.5),
    ("1.234,56", 1234.56),  # thousands dots in a strict grouping
    ("1.234.567", 1234567.0),
    ("-1 234,5", -1234.5),
    ("+5", 5.0),
    (",5", 0.5),
    ("0,00", 0.0),
    ("12.5", None),  # a decimal point in a decimal-comma file: not silently read as 125 or 12.5
    ("1.23,5", None),  # not a strict grouping
    ("1 2,50", None),  # spaces not in a strict grouping
    ("12,x", None),
    ("99,99 zł", None),
    ("PLN 5", None),
    ("1e5", None),
    ("inf", None),
    ("nan", None),
    ("", None),
    (None, None),
]
POINT = [
    ("1,234.56", 1234.56),
    ("1 234.56", 1234.56),
    ("12.5", 12.5),
    ("-0.5", -0.5),
    ("12,5", None),
    ("1,23.5", None),
]


@pytest.mark.parametrize(("options", "cases"), [({"decimal": ","}, COMMA), ({}, POINT)])
def test_amounts_in_each_dialect(options, cases):
    values = [v for v, _ in cases]
    got = evaluate(lambda t: amount_sql(t, "VARCHAR", CsvOptions(**options)), values)
    assert got == pytest.approx([e for _, e in cases], nan_ok=False)


def test_thousands_separator_can_be_switched_off():
    options = CsvOptions(decimal=",", thousands="")
    got = evaluate(lambda t: amount_sql(t, "VARCHAR", options), ["1 234,56", "1234,56"])
    assert got == [None, pytest.approx(1234.56)]
    with pytest.raises(ConfigError, match="both ','"):
        amount_sql("x", "VARCHAR", CsvOptions(decimal=",", thousands=","))


def test_dates_with_a_format_accept_an_added_time():
    options = CsvOptions(date_format="%d.%m.%Y")
    values = ["31.12.2024", "31.12.2024 23:59", "31.12.2024 23:59:58", "31.02.2024", "2024-12-31"]
    got = evaluate(lambda t: timestamp_sql(t, "VARCHAR", options), values)
    assert got == [
        dt.datetime(2024, 12, 31),
        dt.datetime(2024, 12, 31, 23, 59),
        dt.datetime(2024, 12, 31, 23, 59, 58),
        None,  # no 31 February
        None,  # ISO is not the configured format
    ]


def test_dates_without_a_format_are_iso():
    got = evaluate(
        lambda t: timestamp_sql(t, "VARCHAR", CsvOptions()),
        ["2024-12-31", "2024-12-31 10:15:00", "2024-12-31T10:15", "31.12.2024"],
    )
    assert got == [
        dt.datetime(2024, 12, 31),
        dt.datetime(2024, 12, 31, 10, 15),
        dt.datetime(2024, 12, 31, 10, 15),
        None,
    ]


def test_booleans():
    words = ["1", "0", "TAK", "nie", "t", "n", "Yes", "no", "y", "N", "true", "False", "może", None]
    got = evaluate(lambda t: boolean_sql(t, "VARCHAR"), words)
    assert got == [True, False] * 6 + [None, None]


def test_personal_column_names():
    personal = ["E-mail", "email", "Adres e-mail", "Telefon", "Nr tel.", "Imię", "Imie", "Nazwisko"]
    personal += ["Name", "Adres", "Street address", "PESEL", "Data urodzenia"]
    assert all(is_personal(c) for c in personal)
    assert not any(is_personal(c) for c in ["ID klienta", "Miasto", "Wartość", "Kanał", "Data"])


# -- the Polish export with every defect (tests/data/pl_dirty_revenue_cp1250.csv) ------------------
@pytest.fixture(scope="module")
def polish(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("polish")
    columns = {
        "order_id": "Nr zamówienia",
        "customer_id": "ID klienta",
        "order_ts": "Data",
        "revenue": "Wartość",
        "margin": "Marża",
    }
    config = make_config(
        tmp_path,
        {
            "transactions": {
                "path": "t.csv",
                "columns": columns,
                "csv": POLISH_CSV,
                "returns": {"column": "Typ", "values": ["Zwrot"]},
            }
        },
        {"t.csv": DATA / "pl_dirty_revenue_cp1250.csv"},
        observation_start=dt.date(2024, 1, 1),
        observation_end=dt.date(2024, 12, 31),
    )
    return load(config)


def test_polish_export_counts_every_reason(polish):
    q = polish.quality["transactions"]
    # Hand count of the 23 data rows (the fixture lists them in this order, CRLF, cp1250):
    #   used: 1, 2, 3, 4, 5, 16 (31.12.2024 23:59, the end day is inside), 19, 21      -> 8
    #   missing_customer_id: 7, 8 (order id empty too: first reason wins), 22 (copy of 7) -> 3
    #   missing_order_id: 6; missing_required_value: 9 (empty date)                   -> 1, 1
    #   impossible_date: 10 (30.02.2024: the format's shape, but no such day)          -> 1
    #   non_numeric_amount: 11 '12,x', 12 '99,99 zł', 13 '12.5', 14 empty, 20 '1 2,50'  -> 5
    #   duplicate_row: 15 (copy of 1), 23 (copy of 17, duplicate is tested before window) -> 2
    #   outside_window: 17 (01.01.2025), 18 (31.12.2023)                              -> 2
    assert q.rows_read == 23
    assert q.rows_used == 8
    assert q.rows_excluded == {
        "missing_customer_id": 3,
        "missing_order_id": 1,
        "missing_required_value": 1,
        "impossible_date": 1,
        "non_numeric_amount": 5,
        "duplicate_row": 2,
        "outside_window": 2,
    }
    assert q.reconciles() and q.rows_read == q.rows_used + sum(q.rows_excluded.values())
    assert q.returns == 2  # row 4 (negative and 'Zwrot'), row 5 ('ZWROT ' flag, positive amount)
    assert q.columns["revenue"] == "Wartość"


def test_polish_values_are_read_exactly(polish):
    t = frame(polish)
    assert list(t.index) == [1, 2, 3, 4, 5, 16, 19, 21]
    assert t.loc[1, "revenue"] == pytest.approx(1234.56)  # '1 234,56'
    assert t.loc[2, "revenue"] == pytest.approx(1234.56)  # '1.234,56'
    assert t.loc[19, "revenue"] == pytest.approx(1_000_000.0)  # '1 000 000,00' with NBSP
    assert t.loc[4, "revenue"] == pytest.approx(-49.95) and t.loc[4, "is_return"]
    assert t.loc[5, "revenue"] == pytest.approx(-49.95) and t.loc[5, "is_return"]
    assert t.loc[21, "revenue"] == 0.0 and not t.loc[21, "is_return"]
    # 2 × 1234.56 + 99.90 − 2 × 49.95 + 5.00 + 1 000 000.00 + 0 = 1 002 474.12
    assert t["revenue"].sum() == pytest.approx(1_002_474.12)
    assert t.loc[2, "order_ts"] == pd.Timestamp("2024-03-15 14:30")
    assert t.loc[16, "order_ts"] == pd.Timestamp("2024-12-31 23:59")
    assert t.loc[1, "margin"] == 100.0 and pd.isna(t.loc[3, "margin"])
    assert (polish.observation_start, polish.observation_end) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )


def test_polish_canonical_schema(polish):
    schema = polish.tables["transactions"].schema()
    assert dict(schema.items()) == {
        "customer_id": schema["customer_id"],
        "order_id": schema["order_id"],
        "order_ts": schema["order_ts"],
        "revenue": schema["revenue"],
        "margin": schema["margin"],
        "is_return": schema["is_return"],
        "source_row": schema["source_row"],
    }
    assert schema["customer_id"].is_string() and schema["order_id"].is_string()
    assert schema["order_ts"].is_timestamp()
    assert schema["revenue"].is_float64() and schema["margin"].is_float64()
    assert schema["is_return"].is_boolean() and schema["source_row"].is_int64()


def test_polish_unreadable_margin_is_a_note_not_an_exclusion(polish):
    # row 3 has margin 'n/d': the row is used, its margin is left empty and counted
    notes = polish.quality["transactions"].notes
    assert notes == ["margin (column 'Marża'): 1 value could not be read and was left empty"]


def test_polish_examples_show_raw_values_without_personal_data(polish):
    q = polish.quality["transactions"]
    examples = q.examples
    by_reason: dict[str, list[int]] = {}
    for e in examples:
        by_reason.setdefault(e["reason"], []).append(e["source_row"])
    assert by_reason == {  # at most 3 per reason, the first rows of each
        "missing_customer_id": [7, 8, 22],
        "missing_order_id": [6],
        "missing_required_value": [9],
        "impossible_date": [10],
        "non_numeric_amount": [11, 12, 13],
        "duplicate_row": [15, 23],
        "outside_window": [17, 18],
    }
    assert all("Telefon" not in e for e in examples)  # a phone number is personal data
    assert not any("600100200" in str(v) for e in examples for v in e.values())
    amount = next(e for e in examples if e["source_row"] == 12)
    assert amount["Wartość"] == "99,99 zł" and amount["Miasto"] == "Poznań"
    json.dumps(q.to_dict())  # stored in the run's state.json


# -- order lines (tests/data/pl_dirty_cp1250.csv) ------------------------------------------------
def test_order_lines_revenue_is_unit_price_times_quantity(tmp_path):
    columns = {
        "order_id": "Nr zamówienia",
        "customer_id": "ID klienta",
        "order_ts": "Data",
        "quantity": "Ilość",
        "unit_price": "Cena",
    }
    config = make_config(
        tmp_path,
        {"transactions": {"path": "t.csv", "columns": columns, "csv": POLISH_CSV}},
        {"t.csv": DATA / "pl_dirty_cp1250.csv"},
        observation_end=dt.date(2025, 12, 31),
    )
    loaded = load(config)
    q = loaded.quality["transactions"]
    # 12 rows: used 1, 2, 7, 9, 12; row 3 no customer, 4 '31.02.2024' (no such day), 5 '12,x',
    # 6 copy of 1, 8 in 2026, 10 '99,99 zł', 11 '12.5'
    assert (q.rows_read, q.rows_used) == (12, 5)
    assert q.rows_excluded == {
        "missing_customer_id": 1,
        "impossible_date": 1,
        "non_numeric_amount": 3,
        "duplicate_row": 1,
        "outside_window": 1,
    }
    t = frame(loaded)
    assert t.loc[1, "revenue"] == pytest.approx(2 * 1234.56)  # 2 × '1 234,56'
    assert t.loc[9, "revenue"] == pytest.approx(3 * 1234.50)  # 3 × '1.234,50'
    assert t.loc[7, "revenue"] == pytest.approx(-50.0) and t.loc[7, "is_return"]  # quantity −1
    assert t.loc[7, "quantity"] == -1 and t.loc[7, "unit_price"] == 50.0
    assert list(t.loc[[1, 2], "order_id"]) == ["Z1", "Z1"]  # two lines of one order
    assert t.loc[1, "order_ts"] == pd.Timestamp("2024-02-01 10:15")
    assert q.returns == 1
    assert loaded.observation_end == dt.date(2025, 12, 31)
    assert loaded.observation_start == dt.date(2024, 2, 1)  # the first used transaction
    assert all("E-mail" not in e for e in q.examples)


def test_return_flag_and_is_return_column(tmp_path):
    csv = (
        "customer_id,order_ts,revenue,Typ,Zwrot\n"
        "A,2024-01-05,10,Sprzedaż,nie\n"  # 1: sale
        "A,2024-01-06,10, zwrot ,nie\n"  # 2: flag 'Zwrot' (case and spaces ignored)
        "A,2024-01-07,10,Sprzedaż,tak\n"  # 3: is_return column says yes
        "A,2024-01-08,-10,Sprzedaż,nie\n"  # 4: negative amount
    )
    source = {
        "path": "t.csv",
        "columns": {"is_return": "Zwrot"},
        "returns": {"column": "Typ", "values": ["Zwrot", "Korekta"]},
    }
    loaded = load(make_config(tmp_path, {"transactions": source}, {"t.csv": csv}))
    t = frame(loaded)
    assert t["is_return"].tolist() == [False, True, True, True]
    assert t["revenue"].tolist() == [10.0, -10.0, -10.0, -10.0]
    assert loaded.quality["transactions"].returns == 3


def test_unmapped_order_id_makes_each_row_an_order_and_window_defaults_to_data(tmp_path):
    csv = "customer_id,order_ts,revenue\nA,2024-01-05,10\nA,2024-01-05 12:00,20\nB,2024-03-01,5\n"
    loaded = load(make_config(tmp_path, {"transactions": {"path": "t.csv"}}, {"t.csv": csv}))
    assert frame(loaded)["order_id"].tolist() == ["row-1", "row-2", "row-3"]
    assert (loaded.observation_start, loaded.observation_end) == (
        dt.date(2024, 1, 5),
        dt.date(2024, 3, 1),
    )


def test_duplicates_compare_all_columns_of_the_file(tmp_path):
    # rows 1 and 2 differ only in an unmapped column: not duplicates; row 3 repeats row 1
    csv = (
        "customer_id,order_ts,revenue,Uwagi\n"
        "A,2024-01-05,10,pierwsza\nA,2024-01-05,10,druga\nA,2024-01-05,10,pierwsza\n"
    )
    loaded = load(make_config(tmp_path, {"transactions": {"path": "t.csv"}}, {"t.csv": csv}))
    q = loaded.quality["transactions"]
    assert (q.rows_used, q.rows_excluded) == (2, {"duplicate_row": 1})
    assert list(frame(loaded).index) == [1, 2]


def test_source_row_counts_data_rows_after_skipped_lines(tmp_path):
    csv = "Eksport z systemu\n\ncustomer_id;order_ts;revenue\nA;2024-01-05;10\n;2024-01-06;5\n"
    csv += "B;2024-01-07;7\n"
    source = {"path": "t.csv", "csv": {"sep": ";", "skip_rows": 2}}
    loaded = load(make_config(tmp_path, {"transactions": source}, {"t.csv": csv}))
    assert list(frame(loaded).index) == [1, 3]
    assert loaded.quality["transactions"].examples[0]["source_row"] == 2


# -- other formats --------------------------------------------------------------------------------
def test_parquet_typed_columns_are_used_directly(tmp_path):
    pd.DataFrame(
        {
            "klient": [1001, 1002, None, 1004],  # float64 ids because of the gap: 1001.0
            "ts": pd.to_datetime(
                ["2024-01-01 10:00", "2024-02-01 00:00", "2024-03-01 00:00", None]
            ),
            "kwota": [10.5, -2.0, 5.0, 1.0],
            "marza": ["1,5", "x", None, "2"],  # text in a parquet file: parsed with the dialect
        }
    ).to_parquet(tmp_path / "t.parquet")
    columns = {"customer_id": "klient", "order_ts": "ts", "revenue": "kwota", "margin": "marza"}
    source = {"path": "t.parquet", "columns": columns, "csv": {"decimal": ","}}
    loaded = load(make_config(tmp_path, {"transactions": source}))
    q = loaded.quality["transactions"]
    # row 3 has no customer, row 4 no date (an empty required date is a missing value)
    assert (q.rows_read, q.rows_used) == (4, 2)
    assert q.rows_excluded == {"missing_customer_id": 1, "missing_required_value": 1}
    t = frame(loaded)
    assert t["customer_id"].tolist() == ["1001", "1002"]
    assert t["revenue"].tolist() == [10.5, -2.0] and t["is_return"].tolist() == [False, True]
    assert t.loc[1, "order_ts"] == pd.Timestamp("2024-01-01 10:00")
    assert t.loc[1, "margin"] == 1.5 and pd.isna(t.loc[2, "margin"])
    assert q.notes == ["margin (column 'marza'): 1 value could not be read and was left empty"]
    json.dumps(q.to_dict())  # typed raw values are stored as text in the examples


def test_excel_input_with_polish_dialect(tmp_path):
    pd.DataFrame(
        {
            "ID klienta": ["K1", "K2", "K3"],
            "Data": [dt.datetime(2024, 3, 1, 10, 15), "02.03.2024", "2024-03-03"],
            "Wartość": [1234.5, "1 234,50", "12,x"],
        }
    ).to_excel(tmp_path / "t.xlsx", index=False, sheet_name="Zamówienia")
    columns = {"customer_id": "ID klienta", "order_ts": "Data", "revenue": "Wartość"}
    source = {
        "path": "t.xlsx",
        "columns": columns,
        "csv": {"decimal": ",", "date_format": "%d.%m.%Y"},
    }
    loaded = load(make_config(tmp_path, {"transactions": source}))
    q = loaded.quality["transactions"]
    # row 3: the text date '2024-03-03' is not dd.mm.yyyy -> unparseable (before its bad amount)
    assert (q.rows_used, q.rows_excluded) == (2, {"unparseable_date": 1})
    t = frame(loaded)
    assert t["revenue"].tolist() == [1234.5, 1234.5]
    assert t.loc[1, "order_ts"] == pd.Timestamp("2024-03-01 10:15")


def test_excel_with_several_sheets_needs_sheet(tmp_path):
    data = pd.DataFrame({"customer_id": ["A"], "order_ts": ["2024-01-01"], "revenue": ["10"]})
    with pd.ExcelWriter(tmp_path / "t.xlsx") as writer:
        data.to_excel(writer, sheet_name="Notatki", index=False)
        data.to_excel(writer, sheet_name="Zamówienia", index=False)
    with pytest.raises(DataError) as info:
        load(make_config(tmp_path, {"transactions": {"path": "t.xlsx"}}))
    assert "'Notatki', 'Zamówienia'" in str(info.value)
    assert "sources.transactions.sheet" in str(info.value)
    loaded = load(
        make_config(tmp_path, {"transactions": {"path": "t.xlsx", "sheet": "Zamówienia"}})
    )
    assert loaded.quality["transactions"].rows_used == 1


# -- blocking problems ----------------------------------------------------------------------------
def test_mapped_column_absent_names_it_the_columns_and_a_close_match(tmp_path):
    csv = "ID klienta;Data zamówienia;Wartość\nK1;2024-01-01;1\n"
    columns = {"customer_id": "ID klienta", "order_ts": "Data zamowienia", "revenue": "Wartość"}
    source = {"path": "t.csv", "columns": columns, "csv": {"sep": ";"}}
    with pytest.raises(DataError) as info:
        load(make_config(tmp_path, {"transactions": source}, {"t.csv": csv}))
    message = str(info.value)
    assert "t.csv" in message and "column 'Data zamowienia'" in message
    assert "did you mean 'Data zamówienia'" in message
    assert "'ID klienta', 'Data zamówienia', 'Wartość'" in message
    assert "Fix: edit sources.transactions.columns.order_ts in client.yml" in message


def test_required_column_neither_mapped_nor_present(tmp_path):
    csv = "customer_id,kiedy,revenue\nA,2024-01-01,1\n"
    with pytest.raises(DataError, match="order_ts are not mapped.*'kiedy'.*sources.transactions"):
        load(make_config(tmp_path, {"transactions": {"path": "t.csv"}}, {"t.csv": csv}))
    csv = "customer_id,order_ts,unit_price\nA,2024-01-01,1\n"
    with pytest.raises(DataError, match="revenue or unit_price and quantity"):
        load(make_config(tmp_path, {"transactions": {"path": "t.csv"}}, {"t.csv": csv}))


def test_wrong_separator_is_pointed_out(tmp_path):
    csv = "customer_id;order_ts;revenue\nA;2024-01-01;1\n"
    with pytest.raises(DataError, match='single column.*csv.sep: ";"'):
        load(make_config(tmp_path, {"transactions": {"path": "t.csv"}}, {"t.csv": csv}))


def test_row_with_more_fields_than_the_header(tmp_path):
    # row 2: the city 'Kraków, Rynek 1' was not quoted, so its comma shifts every later value
    csv = "customer_id,order_ts,revenue\nA,2024-01-05,10\nB,Kraków, Rynek 1,2024-01-06,10\n"
    with pytest.raises(DataError) as info:
        load(make_config(tmp_path, {"transactions": {"path": "t.csv"}}, {"t.csv": csv}))
    message = str(info.value)
    assert "1 row(s) have more fields than the header's 3 (data rows 2)" in message
    assert "read as 'B,Kraków, Rynek 1,2024-01-06'" in message
    assert "separator ','" in message


def test_return_flag_column_absent(tmp_path):
    source = {"path": "t.csv", "returns": {"column": "Typ", "values": ["Zwrot"]}}
    with pytest.raises(DataError, match="'Typ' named in sources.transactions.returns.column"):
        load(make_config(tmp_path, {"transactions": source}, {"t.csv": SIMPLE}))


def test_cp1250_file_read_as_utf8(tmp_path):
    data = "customer_id;order_ts;revenue\nŁukasz;2024-01-01;1\n".encode("cp1250")
    source = {"path": "t.csv", "csv": {"sep": ";"}}
    with pytest.raises(DataError) as info:
        load(make_config(tmp_path, {"transactions": source}, {"t.csv": data}))
    message = str(info.value)
    # 'Ł' is 0xA3 in cp1250, the first byte of line 2 (the header is 29 bytes)
    assert "not valid UTF-8: byte 0xa3" in message and "byte offset 29, line 2" in message
    assert "csv.encoding: cp1250" in message


def test_utf8_file_declared_cp1250(tmp_path):
    data = "customer_id;order_ts;revenue\nŁukasz;2024-01-01;1\n".encode()
    source = {"path": "t.csv", "csv": {"sep": ";", "encoding": "cp1250"}}
    with pytest.raises(DataError, match="csv.encoding: utf-8"):
        load(make_config(tmp_path, {"transactions": source}, {"t.csv": data}))


def test_mostly_unreadable_dates_name_the_format_fix(tmp_path):
    # 3 of 4 dates are dd.mm.yyyy while the default format is ISO: a setting, not dirty rows
    csv = "customer_id;order_ts;revenue\nA;01.02.2024;1\nB;02.02.2024 10:00;1\nC;2024-02-03;1\n"
    csv += "D;03.02.2024;1\n"
    source = {"path": "t.csv", "csv": {"sep": ";"}}
    with pytest.raises(DataError) as info:
        load(make_config(tmp_path, {"transactions": source}, {"t.csv": csv}))
    message = str(info.value)
    assert "t.csv" in message and "column 'order_ts'" in message
    assert "3 of 4 values of order_ts cannot be read as dates" in message
    assert "row 1: '01.02.2024'; row 2: '02.02.2024 10:00'" in message
    assert 'set csv.date_format: "%d.%m.%Y"' in message


def test_mostly_unreadable_amounts_name_the_decimal_fix(tmp_path):
    # the Polish order lines declared with the default decimal point: '1 234,56', '10,00' ...
    columns = {
        "order_id": "Nr zamówienia",
        "customer_id": "ID klienta",
        "order_ts": "Data",
        "quantity": "Ilość",
        "unit_price": "Cena",
    }
    csv = {"sep": ";", "encoding": "cp1250", "date_format": "%d.%m.%Y"}
    source = {"path": "t.csv", "columns": columns, "csv": csv}
    with pytest.raises(DataError) as info:
        load(
            make_config(tmp_path, {"transactions": source}, {"t.csv": DATA / "pl_dirty_cp1250.csv"})
        )
    message = str(info.value)
    assert "column 'Cena'" in message and "cannot be read as numbers" in message
    assert "row 1: '1 234,56'" in message
    assert 'set csv.decimal: ","' in message


def test_empty_and_header_only_transactions(tmp_path):
    source = {"transactions": {"path": "t.csv"}}
    with pytest.raises(DataError, match="header but no data rows"):
        load(make_config(tmp_path, source, {"t.csv": "customer_id,order_ts,revenue\n"}))
    with pytest.raises(DataError, match=r"empty \(0 bytes\)"):
        load(make_config(tmp_path, source, {"t.csv": ""}))


def test_no_usable_transaction(tmp_path):
    csv = "customer_id,order_ts,revenue\n,2024-01-01,1\nA,2026-01-01,1\n"
    config = make_config(
        tmp_path, {"transactions": {"path": "t.csv"}}, {"t.csv": csv}, observation_end="2025-12-31"
    )
    with pytest.raises(DataError, match="no transaction row can be used: all 2 rows are excluded"):
        load(config)


# -- optional tables ------------------------------------------------------------------------------
CUSTOMERS = """customer_id,acquired_at,loyalty_member,Email
C1,2024-01-05,tak,a@example.pl
C2,2024-01-06,NIE,b@example.pl
C3,not a date,Y,c@example.pl
,2024-01-07,tak,d@example.pl
C4,2024-01-08,może,e@example.pl
C1,2024-01-05,tak,a@example.pl
"""
SPEND = """Miesiąc;Kanał;Koszt;Wyświetlenia
2024-01;Facebook;1 200,50;10 000
2024-02;Facebook;abc;5000
2024-03;;100,00;1
2024-13;Google;5,00;1
2024-04;Google;7,00;dużo
"""
MESSAGES = """customer_id,sent_at,channel,opened_at
C1,2024-01-05 10:00,email,2024-01-05 11:00
C1,2024-01-06 10:00,,
C2,2024-13-01,sms,
,2024-01-07 10:00,push,
C2,2024-01-08 10:00,email,yesterday
"""
SESSIONS = """session_id,ts,step,customer_id
S1,2024-01-05 10:00:00,visit,
S1,2024-01-05 10:01:00,add_to_cart,C1
S2,2024-01-05 10:02:00,wishlist,
S3,2024-01-05 10:03:00,wishlist,C2
,2024-01-05 10:04:00,visit,
S4,2024-01-05 10:05:00,,
"""


@pytest.fixture(scope="module")
def optional(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("optional")
    spend_columns = {"period": "Miesiąc", "channel": "Kanał", "spend": "Koszt"}
    spend_columns["impressions"] = "Wyświetlenia"
    sources = {
        "transactions": {"path": "t.csv"},
        "customers": {"path": "customers.csv"},
        "marketing_spend": {
            "path": "spend.csv",
            "columns": spend_columns,
            "csv": {"sep": ";", "decimal": ",", "date_format": "%Y-%m"},
        },
        "messages": {"path": "messages.csv"},
        "sessions": {"path": "sessions.csv"},
    }
    files = {"t.csv": SIMPLE, "customers.csv": CUSTOMERS, "spend.csv": SPEND}
    files |= {"messages.csv": MESSAGES, "sessions.csv": SESSIONS}
    # the window covers the spend months (spend outside it is excluded as outside_window)
    # funnel.steps lists the steps the sessions have (a listed step that never occurs is blocked)
    funnel = {"steps": ["visit", "add_to_cart"]}
    config = make_config(
        tmp_path, sources, files, observation_end=dt.date(2024, 12, 31), funnel=funnel
    )
    return load(config)


def test_optional_tables_reconcile(optional):
    assert set(optional.tables) == {
        "transactions",
        "customers",
        "marketing_spend",
        "messages",
        "sessions",
    }
    assert all(q.reconciles() for q in optional.quality.values())


def test_customers(optional):
    q = optional.quality["customers"]
    # rows 1, 2, 3, 5 used; row 4 has no id; row 6 repeats row 1
    assert (q.rows_read, q.rows_used) == (6, 4)
    assert q.rows_excluded == {"missing_customer_id": 1, "duplicate_row": 1}
    t = frame(optional, "customers")
    assert t["loyalty_member"].tolist() == [True, False, True, None]  # 'może' is not yes/no
    assert pd.isna(t.loc[3, "acquired_at"])
    assert q.notes == [
        "acquired_at (column 'acquired_at'): 1 value could not be read and was left empty",
        "loyalty_member (column 'loyalty_member'): 1 value could not be read and was left empty",
    ]
    assert all("Email" not in e for e in q.examples)


def test_marketing_spend(optional):
    q = optional.quality["marketing_spend"]
    # row 1 used, 2 'abc' spend, 3 no channel, 4 month 13 (the format's shape, no such month),
    # 5 used with impressions 'dużo'
    assert (q.rows_read, q.rows_used) == (5, 2)
    assert q.rows_excluded == {
        "missing_required_value": 1,
        "impossible_date": 1,
        "non_numeric_amount": 1,
    }
    t = frame(optional, "marketing_spend")
    assert optional.tables["marketing_spend"].schema()["period"].is_date()
    assert t.loc[1, "period"] == pd.Timestamp("2024-01-01")
    assert t.loc[1, "spend"] == 1200.5 and t.loc[1, "impressions"] == 10000
    assert pd.isna(t.loc[5, "impressions"])
    assert q.notes == [
        "impressions (column 'Wyświetlenia'): 1 value could not be read and was left empty"
    ]


def test_messages(optional):
    q = optional.quality["messages"]
    # row 1 used, 2 no channel, 3 month 13 (ISO shape, no such month), 4 no customer, 5 used
    # with opened_at 'yesterday'
    assert (q.rows_read, q.rows_used) == (5, 2)
    assert q.rows_excluded == {
        "missing_customer_id": 1,
        "missing_required_value": 1,
        "impossible_date": 1,
    }
    assert len(q.notes) == 1 and q.notes[0].startswith("opened_at")


def test_sessions(optional):
    q = optional.quality["sessions"]
    # rows 1, 2 used (anonymous sessions are fine); 3, 4 'wishlist'; 5 no id; 6 no step
    assert (q.rows_read, q.rows_used) == (6, 2)
    assert q.rows_excluded == {"missing_required_value": 2, "unknown_funnel_step": 2}
    ids = frame(optional, "sessions")["customer_id"]
    assert pd.isna(ids.loc[1]) and ids.loc[2] == "C1"
    assert "'wishlist' (2 rows)" in q.notes[0] and "funnel.steps" in q.notes[0]


def test_empty_optional_tables_are_not_blocking(tmp_path):
    sources = {
        "transactions": {"path": "t.csv"},
        "customers": {"path": "c.csv"},
        "sessions": {"path": "s.csv"},
        "marketing_spend": {"path": "m.xlsx"},
    }
    pd.DataFrame().to_excel(tmp_path / "m.xlsx")
    files = {"t.csv": SIMPLE, "c.csv": "", "s.csv": "session_id,ts,step\n"}
    loaded = load(make_config(tmp_path, sources, files))
    assert set(loaded.tables) == {"transactions"}  # the steps treat them as missing
    empty = [("customers", "empty (0 bytes)"), ("sessions", "no data rows")]
    empty.append(("marketing_spend", "the sheet is empty"))
    for name, what in empty:
        q = loaded.quality[name]
        assert (q.rows_read, q.rows_used, q.reconciles()) == (0, 0, True)
        assert what in q.notes[0]


# -- housekeeping ---------------------------------------------------------------------------------
def test_loading_twice_replaces_tables_and_leaves_no_temporary_objects(tmp_path):
    config = make_config(tmp_path, {"transactions": {"path": "t.csv"}}, {"t.csv": SIMPLE})
    con = ibis.duckdb.connect()
    load(config, con)
    loaded = load(config, con)
    assert loaded.tables["transactions"].count().execute() == 1
    leftovers = con.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '__clv%' "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE view_name LIKE '__clv%'"
    ).fetchall()
    assert leftovers == []


def test_transcoded_copy_is_deleted_after_loading(tmp_path):
    data = "customer_id;order_ts;revenue\nŁukasz;2024-01-01;1\n".encode("cp1250")
    source = {"path": "t.csv", "csv": {"sep": ";", "encoding": "cp1250"}}
    config = make_config(tmp_path, {"transactions": source}, {"t.csv": data})
    workdir = tmp_path / "work"
    workdir.mkdir()
    quality, made = load_table(duckdb.connect(), config, "transactions", workdir=workdir)
    assert (quality.rows_used, made) == (1, True)
    assert list(workdir.iterdir()) == []
    (tmp_path / "t.csv").write_bytes(data.decode("cp1250").encode())  # now UTF-8: refused
    with pytest.raises(DataError, match="csv.encoding: utf-8"):
        load_table(duckdb.connect(), config, "transactions", workdir=workdir)
    assert list(workdir.iterdir()) == []  # the partial copy is gone too


def test_file_without_header_maps_positional_columns(tmp_path):
    csv = "K1;05.01.2024;10,5\nK2;06.01.2024;7\n"
    columns = {"customer_id": "column0", "order_ts": "column1", "revenue": "column2"}
    source = {"path": "t.csv", "columns": columns, "csv": {**POLISH_CSV, "header": False}}
    source["csv"]["encoding"] = "utf-8"
    loaded = load(make_config(tmp_path, {"transactions": source}, {"t.csv": csv}))
    assert frame(loaded)["revenue"].tolist() == [10.5, 7.0]


def test_progress_goes_to_stderr_only_when_asked(tmp_path, capsys):
    config = make_config(tmp_path, {"transactions": {"path": "t.csv"}}, {"t.csv": SIMPLE})
    load_tables(config, ibis.duckdb.connect(), progress=False)
    assert capsys.readouterr() == ("", "")
    load_tables(config, ibis.duckdb.connect(), progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "transactions" in err
