"""The data layer: dialects, column mapping, and row accounting (every row used or excluded
with a counted reason; rows_read == rows_used + Σ rows_excluded)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import ibis
import pandas as pd
import pytest

from clvlib.config import load_config
from clvlib.data.load import load_tables
from clvlib.errors import DataError

DATA = Path(__file__).parent / "data"
PL_SOURCE = """
    path: {path}
    columns: {{order_id: "Nr zamówienia", customer_id: "ID klienta", order_ts: Data,
               quantity: "Ilość", unit_price: Cena}}
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y %H:%M"}}
"""


def config_for(tmp_path, transactions: str, extra: str = "", **files):
    for name, content in files.items():
        target = tmp_path / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        elif isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_text(content, encoding="utf-8")
    text = "client: Test\nobservation_end: 2025-12-31\nsources:\n  transactions:\n"
    text += textwrap.indent(textwrap.dedent(transactions).strip(), "    ") + "\n" + extra
    (tmp_path / "client.yml").write_text(text, encoding="utf-8")
    return load_config(tmp_path / "client.yml")


def load(config):
    return load_tables(config, ibis.duckdb.connect(), progress=False)


@pytest.fixture
def polish(tmp_path):
    config = config_for(
        tmp_path, PL_SOURCE.format(path="t.csv"), **{"t.csv": DATA / "pl_dirty_cp1250.csv"}
    )
    return load(config)


def test_polish_fixture_counts_every_reason(polish):
    q = polish.quality["transactions"]
    # hand count (see the comments in the fixture's generator, tests/data/README.md):
    # 12 data rows: used 1, 2, 7, 9, 12; excluded one each for missing id, date (31.02.2024,
    # no such day: impossible_date), duplicate, window, and three non-numeric amounts ('12,x',
    # '99,99 zł', '12.5' in a comma file)
    assert q.rows_read == 12
    assert q.rows_used == 5
    assert q.rows_excluded == {
        "missing_customer_id": 1,
        "impossible_date": 1,
        "non_numeric_amount": 3,
        "duplicate_row": 1,
        "outside_window": 1,
    }
    assert q.reconciles()
    assert q.returns == 1


def test_polish_values_are_parsed_exactly(polish):
    frame = polish.tables["transactions"].to_pandas().set_index("source_row")
    assert frame.loc[1, "revenue"] == pytest.approx(2 * 1234.56)
    assert frame.loc[9, "revenue"] == pytest.approx(3 * 1234.50)  # '1.234,50' thousands dot
    assert frame.loc[7, "revenue"] == pytest.approx(-50.0) and frame.loc[7, "is_return"]
    assert frame.loc[12, "revenue"] == 0.0 and not frame.loc[12, "is_return"]
    assert str(frame.loc[1, "order_ts"]) == "2024-02-01 10:15:00"
    assert str(frame.loc[7, "order_ts"]) == "2024-02-04 00:00:00"  # date without time accepted
    assert list(frame.loc[[1, 2], "order_id"]) == ["Z1", "Z1"]  # order lines share the order


def test_examples_keep_mapped_columns_but_never_personal_data(polish):
    examples = polish.quality["transactions"].examples
    assert {e["reason"] for e in examples} == set(polish.quality["transactions"].rows_excluded)
    assert all("E-mail" not in e for e in examples)
    assert all("@" not in str(v) for e in examples for v in e.values())
    date_example = next(e for e in examples if e["reason"] == "impossible_date")
    assert date_example["source_row"] == 4 and date_example["Data"] == "31.02.2024"


def test_window_defaults_to_the_data(tmp_path):
    csv = "customer_id,order_ts,revenue\nA,2024-01-05,10\nB,2024-03-01,20\n"
    config = config_for(tmp_path, "path: t.csv", **{"t.csv": csv})
    config = config.model_copy(update={"observation_end": None})
    loaded = load(config)
    assert (str(loaded.observation_start), str(loaded.observation_end)) == (
        "2024-01-05",
        "2024-03-01",
    )


def test_unmapped_order_id_makes_each_row_an_order(tmp_path):
    csv = "customer_id,order_ts,revenue\nA,2024-01-05,10\nA,2024-01-05,20\n"
    loaded = load(config_for(tmp_path, "path: t.csv", **{"t.csv": csv}))
    frame = loaded.tables["transactions"].to_pandas()
    assert frame["order_id"].tolist() == ["row-1", "row-2"]


def test_return_flag_column(tmp_path):
    csv = "customer_id,order_ts,revenue,Typ\nA,2024-01-05,10,Sprzedaż\nA,2024-01-06,10,Zwrot\n"
    source = "path: t.csv\nreturns: {column: Typ, values: [Zwrot]}"
    frame = load(config_for(tmp_path, source, **{"t.csv": csv})).tables["transactions"].to_pandas()
    assert frame["revenue"].tolist() == [10.0, -10.0]
    assert frame["is_return"].tolist() == [False, True]


def test_parquet_and_typed_columns(tmp_path):
    frame = pd.DataFrame(
        {
            "cust": ["A", "B", None],
            "ts": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
            "amount": [10.5, 20.0, 5.0],
        }
    )
    frame.to_parquet(tmp_path / "t.parquet")
    source = "path: t.parquet\ncolumns: {customer_id: cust, order_ts: ts, revenue: amount}"
    loaded = load(config_for(tmp_path, source))
    q = loaded.quality["transactions"]
    assert (q.rows_read, q.rows_used, q.rows_excluded) == (3, 2, {"missing_customer_id": 1})
    assert loaded.tables["transactions"].to_pandas()["revenue"].tolist() == [10.5, 20.0]


def test_excel_single_sheet_and_multi_sheet_needs_a_choice(tmp_path):
    frame = pd.DataFrame({"customer_id": ["A"], "order_ts": ["2024-01-01"], "revenue": ["10"]})
    frame.to_excel(tmp_path / "one.xlsx", index=False)
    assert load(config_for(tmp_path, "path: one.xlsx")).quality["transactions"].rows_used == 1
    with pd.ExcelWriter(tmp_path / "two.xlsx") as writer:
        frame.to_excel(writer, sheet_name="Zamówienia", index=False)
        frame.to_excel(writer, sheet_name="Notatki", index=False)
    with pytest.raises(DataError, match="2 sheets .*Zamówienia.*sheet:"):
        load(config_for(tmp_path, "path: two.xlsx"))
    loaded = load(config_for(tmp_path, 'path: two.xlsx\nsheet: "Zamówienia"'))
    assert loaded.quality["transactions"].rows_used == 1


def test_missing_mapped_column_names_it_and_a_close_match(tmp_path):
    csv = "klient,order_ts,revenue\nA,2024-01-01,1\n"
    source = "path: t.csv\ncolumns: {customer_id: klinet}"
    with pytest.raises(DataError) as info:
        load(config_for(tmp_path, source, **{"t.csv": csv}))
    message = str(info.value)
    assert "'klinet'" in message and "did you mean 'klient'" in message and "Fix:" in message


def test_wrong_encoding_declared(tmp_path):
    cp1250 = "customer_id;order_ts;revenue\nŁukasz;2024-01-01;1\n".encode("cp1250")
    with pytest.raises(DataError, match="not valid UTF-8.*line 2.*cp1250"):
        load(config_for(tmp_path, "path: t.csv\ncsv: {sep: ';'}", **{"t.csv": cp1250}))


def test_mostly_unparseable_dates_is_a_configuration_error(tmp_path):
    csv = "customer_id;order_ts;revenue\nA;01.02.2024;1\nB;02.02.2024;1\nC;2024-02-03;1\n"
    with pytest.raises(DataError) as info:
        load(config_for(tmp_path, "path: t.csv\ncsv: {sep: ';'}", **{"t.csv": csv}))
    message = str(info.value)
    assert "2 of 3 values of order_ts" in message
    assert "row 1: '01.02.2024'" in message and "date_format" in message


def test_header_only_and_empty_files(tmp_path):
    with pytest.raises(DataError, match="no data rows"):
        load(config_for(tmp_path, "path: t.csv", **{"t.csv": "customer_id,order_ts,revenue\n"}))
    with pytest.raises(DataError, match="empty"):
        load(config_for(tmp_path, "path: e.csv", **{"e.csv": ""}))


def test_optional_tables_have_their_own_reasons(tmp_path):
    csv = "customer_id,order_ts,revenue\nA,2024-01-01,1\n"
    sessions = (
        "session_id,ts,step\nS1,2024-01-01,visit\nS1,2024-01-01,add_to_cart\n"
        "S2,2024-01-01,wishlist\n"
    )
    spend = "period,channel,spend\n2024-01-01,Facebook,100\n2024-02-01,Facebook,abc\n"
    extra = "  sessions: {path: s.csv}\n  marketing_spend: {path: m.csv}\n"
    extra += "funnel: {steps: [visit, add_to_cart]}\n"  # every listed step occurs
    loaded = load(
        config_for(
            tmp_path, "path: t.csv", extra, **{"t.csv": csv, "s.csv": sessions, "m.csv": spend}
        )
    )
    s = loaded.quality["sessions"]
    assert (s.rows_used, s.rows_excluded) == (2, {"unknown_funnel_step": 1})
    m = loaded.quality["marketing_spend"]
    assert (m.rows_used, m.rows_excluded) == (1, {"non_numeric_amount": 1})
    assert all(q.reconciles() for q in loaded.quality.values())


def test_a_typed_nan_or_infinite_amount_is_unreadable_not_a_value(tmp_path):
    """A Parquet NaN or infinity is no amount: the row is excluded like a text that is not a
    number (a NaN revenue would make every total NaN, and cannot be added exactly)."""
    amounts = [10.5, 20.0, 30.0, 40.0, 50.0, float("nan"), float("inf"), -float("inf")]
    frame = pd.DataFrame(
        {
            "cust": list("ABCDEFGH"),
            "ts": pd.date_range("2024-01-01", periods=8, freq="D"),
            "amount": amounts,
        }
    )
    frame.to_parquet(tmp_path / "t.parquet")
    source = "path: t.parquet\ncolumns: {customer_id: cust, order_ts: ts, revenue: amount}"
    loaded = load(config_for(tmp_path, source))
    q = loaded.quality["transactions"]
    # pandas writes NaN as a Parquet null in a float column: an empty amount, counted with the
    # two infinities as non-numeric amounts
    assert (q.rows_read, q.rows_used, q.rows_excluded) == (8, 5, {"non_numeric_amount": 3})
    assert loaded.tables["transactions"].to_pandas()["revenue"].tolist() == amounts[:5]


def test_money_with_more_decimals_than_the_exact_sums_keep_is_noted(tmp_path):
    """Amounts are added rounded to clvlib.backends.MONEY_DECIMALS (6) decimals: an export
    with finer amounts says how many and by how much at most; unit price × quantity products
    (binary noise in the last bit, e.g. 19.99 × 3) and 6-decimal amounts are not counted."""
    csv = (
        "customer_id,order_ts,unit_price,quantity\n"
        "A,2024-01-01,19.99,3\n"  # 59.97000000000001 in binary: noise, not a 7th decimal
        "A,2024-01-02,0.123456,1\n"  # 6 decimals: kept exactly
        "B,2024-01-03,0.1234567,1\n"  # 7 decimals
        "B,2024-01-04,1000.00000001,2\n"  # 8 decimals
    )
    source = "path: t.csv\ncolumns: {unit_price: unit_price, quantity: quantity}"
    loaded = load(config_for(tmp_path, source, **{"t.csv": csv}))
    notes = [n for n in loaded.quality["transactions"].notes if "decimals" in n]
    assert len(notes) == 2  # revenue and unit_price
    revenue = next(n for n in notes if n.startswith("revenue:"))
    assert "2 amounts have more than 6 decimals" in revenue
    assert "0.1234567" in revenue and "at most 0.0000005" in revenue
    clean = "customer_id,order_ts,revenue\nA,2024-01-01,19.99\nB,2024-01-02,0.123456\n"
    loaded = load(config_for(tmp_path, "path: c.csv", **{"c.csv": clean}))
    assert not [n for n in loaded.quality["transactions"].notes if "decimals" in n]
