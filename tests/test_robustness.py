"""Bad input through the CLI: every kind a consultant meets in real exports gets a clear answer.

Each case breaks the clean export of ``robustness_cases`` in one way and runs ``clv-audit
validate`` (or ``run``) in-process. Two outcomes, decided per case as a demanding consultant
would (the README's table "Bad input and what it gives" lists them):

- **blocked** — exit code 2 and ONE paragraph naming the file, the column (or the key of
  client.yml), a sample row where there is one, and the fix; never a traceback. For problems of
  the configuration, or of a whole column or file, where going on would lose a large or biased
  part of the data or read values wrongly.
- **accepted** — exit code 0; the affected rows are excluded under a named reason and counted
  (``rows_read == rows_used + Σ rows_excluded`` per table, asserted on every case that loads),
  or a note says what was done. For sporadic dirt and for data that are simply thin.

A few cases also run as a real subprocess (``python -m clvlib``) to prove that nothing but the
paragraph reaches stderr.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from robustness_cases import (
    COLUMNS,
    CSV,
    HEADER,
    cli,
    csv_text,
    error_paragraph,
    load,
    order_rows,
    write_client,
)


def blocked(config: Path, *, file: str, column: str | None = None, row: bool = True, **kw):
    """Run ``validate`` and check the blocking answer: exit 2, one paragraph naming ``file``
    (its name), ``column`` (or a key) and, with ``row``, an example; always a fix."""
    code, out, err = cli("validate", config)
    assert code == 2, (out, err)
    paragraph = error_paragraph(err)
    assert paragraph.startswith("In file ") and file in paragraph.split(":")[0], paragraph
    if column is not None:
        assert column in paragraph, paragraph
    if row:
        assert "Example:" in paragraph, paragraph
    assert "Fix:" in paragraph, paragraph
    for text in kw.get("says", ()):
        assert text in paragraph, paragraph
    return paragraph


def accepted(config: Path, **kwargs):
    """Run ``validate`` (exit 0, every table reconciles) and load in-process for the counts."""
    code, out, err = cli("validate", config)
    assert code == 0, (out, err)
    assert "Traceback" not in err
    table_lines = [line for line in out.splitlines() if line.rstrip().endswith(("yes", "NO"))]
    assert table_lines and all(line.rstrip().endswith("yes") for line in table_lines), out
    return load(config, **kwargs), out


def rows_with(change: dict[int, dict[int, str]], n: int = 200) -> str:
    """The clean export with the given cells replaced: ``{row index: {column index: text}}``."""
    rows = order_rows(n)
    for i, cells in change.items():
        for j, text in cells.items():
            rows[i][j] = text
    return csv_text(rows)


# =================================================================================================
# blocked: exit code 2 and one paragraph
# =================================================================================================
def test_missing_config_file(tmp_path):
    """No client.yml at the path given: blocked, naming the path and how to get one."""
    blocked(tmp_path / "client.yml", file="client.yml", row=False, says=["make demo"])


def test_missing_data_file(tmp_path):
    """sources.transactions.path points nowhere: blocked, naming the key and the directory
    relative paths are resolved against."""
    config = write_client(tmp_path, source={"path": "brak.csv"})
    blocked(config, file="client.yml", column="sources.transactions.path", row=False)


def test_empty_file(tmp_path):
    """A 0-byte export (a failed download): blocked."""
    config = write_client(tmp_path, "")
    blocked(config, file="transakcje.csv", row=False, says=["0 bytes"])


def test_header_only(tmp_path):
    """An export filtered to nothing: blocked, the transactions are required."""
    config = write_client(tmp_path, csv_text([]))
    blocked(config, file="transakcje.csv", row=False, says=["header but no data rows"])


def test_mapped_column_absent(tmp_path):
    """A mapped column the file does not have: blocked, with the file's columns and the
    closest one (a missing diacritic)."""
    config = write_client(tmp_path, columns={**COLUMNS, "order_id": "Nr zamowienia"})
    blocked(
        config,
        file="transakcje.csv",
        column="column 'Nr zamowienia'",
        row=False,
        says=["did you mean 'Nr zamówienia'", "sources.transactions.columns.order_id"],
    )


def test_misspelt_config_key(tmp_path):
    """A misspelt key would otherwise be ignored and its default used silently: blocked, with
    the closest valid key."""
    config = write_client(tmp_path, economics={"gros_margin": 0.4})
    blocked(
        config,
        file="client.yml",
        column="economics.gros_margin",
        row=False,
        says=["did you mean 'gross_margin'"],
    )


def test_unknown_canonical_column(tmp_path):
    """A mapping to a canonical name that does not exist (``client_id``): blocked."""
    columns = {**COLUMNS, "client_id": "ID klienta"}
    blocked(
        write_client(tmp_path, columns=columns),
        file="client.yml",
        column="client_id",
        row=False,
        says=["did you mean 'customer_id'"],
    )


@pytest.mark.parametrize(
    ("top", "key"),
    [
        ({"economics": {"gross_margin": "35%"}}, "economics.gross_margin"),
        ({"holdout_weeks": "dwa"}, "holdout_weeks"),
        ({"observation_end": "31.12.2025"}, "observation_end"),
    ],
)
def test_wrong_types_in_config(tmp_path, top, key):
    """A value of the wrong type ('35%' for a fraction, a Polish date for an ISO one):
    blocked, naming the key and the value given."""
    blocked(write_client(tmp_path, **top), file="client.yml", column=key, row=False)


def test_yaml_syntax_error(tmp_path):
    """Broken YAML: blocked, with the line."""
    config = write_client(tmp_path)
    config.write_text(config.read_text() + "currency: [PLN\n", encoding="utf-8")
    blocked(config, file="client.yml", row=False, says=["not valid YAML at line"])


def test_observation_window_inverted(tmp_path):
    """observation_start after observation_end: blocked."""
    config = write_client(
        tmp_path, observation_start=dt.date(2025, 1, 1), observation_end=dt.date(2024, 1, 1)
    )
    blocked(config, file="client.yml", row=False, says=["observation_start must be before"])


def test_cp1250_file_declared_utf8(tmp_path):
    """A Windows export read as UTF-8 would garble or fail on every Polish letter: blocked,
    naming the byte offset and line, and the encoding to set."""
    rows = order_rows()
    rows[5][1] = "Łukasz"
    config = write_client(tmp_path, csv_text(rows).encode("cp1250"))
    blocked(
        config,
        file="transakcje.csv",
        row=False,
        says=["not valid UTF-8", "byte offset 6, line 1", "csv.encoding: cp1250"],  # 'ó'
    )


def test_utf8_file_declared_cp1250(tmp_path):
    """A UTF-8 file declared cp1250 decodes without error into 'Ĺ‚': blocked rather than read
    with garbled names."""
    rows = order_rows()
    rows[5][1] = "Łukasz"
    config = write_client(tmp_path, csv_text(rows), csv={**CSV, "encoding": "cp1250"})
    blocked(config, file="transakcje.csv", row=False, says=["csv.encoding: utf-8"])


def test_wrong_separator_declared(tmp_path):
    """A ';' file read with sep ',' has one column: blocked, suggesting the separator."""
    config = write_client(tmp_path, csv={**CSV, "sep": ","})
    blocked(config, file="transakcje.csv", row=False, says=['csv.sep: ";"'])


def test_mixed_separators(tmp_path):
    """Some rows written with ',' in a ';' file: all their values land in the first column and
    would be excluded as 'missing values' — blocked instead, naming the rows."""
    rows = order_rows()
    text = csv_text(rows).replace("Z7;K7;08.01.2024;17,07", "Z7,K7,08.01.2024,17.07")
    paragraph = blocked(write_client(tmp_path, text), file="transakcje.csv", column="Nr zamówienia")
    assert "use ',' as the separator while the file uses ';'" in paragraph
    assert "data row 8" in paragraph


def test_row_with_more_fields_than_header(tmp_path):
    """An unquoted separator inside a value shifts every later field: blocked."""
    text = csv_text(order_rows()).replace("Z3;K3;", "Z3;K3;Rynek; 1;", 1)
    blocked(write_client(tmp_path, text), file="transakcje.csv", says=["more fields"])


def test_decimal_comma_and_point_mixed(tmp_path):
    """20 of 200 amounts with a decimal point in a decimal-comma file: excluding them would drop
    10 % of the revenue, and '1.250' could be either 1,25 or 1 250 — blocked."""
    change = {i: {3: f"{10 + i}.50"} for i in range(0, 200, 10)}
    paragraph = blocked(
        write_client(tmp_path, rows_with(change)), file="transakcje.csv", column="Kwota"
    )
    assert "use '.' as the decimal mark" in paragraph and "row 1: '10.50'" in paragraph


def test_dates_in_two_formats(tmp_path):
    """Every tenth date in ISO in a dd.mm.yyyy file (a system migration): blocked, and the fix
    it names — listing both formats — makes every row usable."""
    rows = order_rows()
    for i in range(0, 200, 10):
        rows[i][2] = dt.datetime.strptime(rows[i][2], "%d.%m.%Y").strftime("%Y-%m-%d")
    config = write_client(tmp_path, csv_text(rows))
    paragraph = blocked(config, file="transakcje.csv", column="Data")
    assert 'csv.date_format: ["%d.%m.%Y", "%Y-%m-%d"]' in paragraph
    fixed = write_client(
        tmp_path, csv_text(rows), csv={**CSV, "date_format": ["%d.%m.%Y", "%Y-%m-%d"]}
    )
    loaded, _ = accepted(fixed)
    assert loaded.quality["transactions"].rows_used == 200


def test_wrong_date_format(tmp_path):
    """Every date unreadable with the configured format: blocked, suggesting the one that
    reads them."""
    paragraph = blocked(
        write_client(tmp_path, csv={**CSV, "date_format": "%Y-%m-%d"}),
        file="transakcje.csv",
        column="Data",
    )
    assert 'set csv.date_format: "%d.%m.%Y"' in paragraph


def test_required_column_empty_in_every_row(tmp_path):
    """The mapped customer id column is empty everywhere (a wrong column mapped, or an export
    without ids): blocked, naming the column, rather than 'no row can be used'."""
    rows = [[r[0], "", r[2], r[3]] for r in order_rows()]
    blocked(
        write_client(tmp_path, csv_text(rows)),
        file="transakcje.csv",
        column="ID klienta",
        says=["empty in all 200 rows"],
    )


def test_amounts_mostly_not_numbers(tmp_path):
    """Most amounts are text ('brak'): a wrong mapping or setting — blocked."""
    change = {i: {3: "brak"} for i in range(150)}
    blocked(write_client(tmp_path, rows_with(change)), file="transakcje.csv", column="Kwota")


def test_currency_marks_in_every_amount(tmp_path):
    """'1 234,56 zł' throughout: blocked; the fix says how to export plain numbers."""
    rows = [[*r[:3], f"1 2{i % 10}4,56 zł"] for i, r in enumerate(order_rows())]
    paragraph = blocked(
        write_client(tmp_path, csv_text(rows)), file="transakcje.csv", column="Kwota"
    )
    assert "row 1: '1 204,56 zł'" in paragraph and "currency mark" in paragraph


def test_currency_marks_in_part_of_the_amounts(tmp_path):
    """30 of 200 amounts written 'PLN 12.00' (another system): systematic, so blocked too —
    excluding them would drop 15 % of the data."""
    change = {i: {3: f"PLN {12 + i}.00"} for i in range(0, 200, 7)}
    paragraph = blocked(
        write_client(tmp_path, rows_with(change)), file="transakcje.csv", column="Kwota"
    )
    assert "carry a currency mark" in paragraph and "'PLN 12.00'" in paragraph


def test_order_id_mapped_to_a_column_shared_by_customers(tmp_path):
    """order_id mapped to the shop's code, the same in every row: the 'orders' would mix 40
    customers — blocked."""
    rows = [[*r, "SKLEP-1"] for r in order_rows()]
    config = write_client(
        tmp_path, csv_text(rows, [*HEADER, "Sklep"]), columns={**COLUMNS, "order_id": "Sklep"}
    )
    blocked(config, file="transakcje.csv", column="Sklep", says=["does not identify orders"])


def test_excel_with_several_sheets_and_no_sheet_given(tmp_path):
    """A workbook with a notes sheet and a data sheet: which one is meant must be said."""
    frame = pd.DataFrame(order_rows(), columns=HEADER)
    with pd.ExcelWriter(tmp_path / "t.xlsx") as writer:
        frame.head(3).to_excel(writer, sheet_name="Notatki", index=False)
        frame.to_excel(writer, sheet_name="Zamówienia", index=False)
    config = write_client(tmp_path, source={"path": "t.xlsx"})
    blocked(
        config,
        file="t.xlsx",
        row=False,
        says=["'Notatki', 'Zamówienia'", 'sheet: "Notatki"', "sources.transactions.sheet"],
    )
    config = write_client(tmp_path, source={"path": "t.xlsx", "sheet": "Zamowienia"})
    blocked(config, file="t.xlsx", row=False, says=["did you mean 'Zamówienia'"])
    config = write_client(tmp_path, source={"path": "t.xlsx", "sheet": "Zamówienia"})
    loaded, _ = accepted(config)
    assert loaded.quality["transactions"].rows_used == 200


def test_unsupported_file_type(tmp_path):
    """An old .xls workbook: blocked, naming the formats read."""
    config = write_client(tmp_path, b"\xd0\xcf\x11\xe0", name="t.xls")
    blocked(config, file="t.xls", row=False, says=["CSV, Parquet or XLSX"])


def test_every_row_outside_the_window(tmp_path):
    """observation_start after the data: no usable row — blocked, with the counts by reason."""
    config = write_client(tmp_path, observation_start=dt.date(2025, 1, 1))
    blocked(config, file="transakcje.csv", row=False, says=["outside_window): 200"])


def test_return_flag_column_absent(tmp_path):
    """returns.column names a column the file does not have: blocked."""
    config = write_client(tmp_path, source={"returns": {"column": "Typ", "values": ["Zwrot"]}})
    blocked(config, file="transakcje.csv", column="Typ", row=False)


def test_run_with_bad_input_leaves_no_run_directory(tmp_path):
    """``run`` on a broken export stops before any notebook: exit 2, one paragraph, and no
    empty run directory left behind."""
    config = write_client(tmp_path / "client", "")
    code, _, err = cli("run", config, "--out", tmp_path / "reports", "--quiet", "--no-pdf")
    assert code == 2 and "0 bytes" in error_paragraph(err)
    assert not list((tmp_path / "reports").rglob("*"))


def test_run_with_unknown_step(tmp_path):
    """``--steps 9``: blocked before anything is read."""
    code, _, err = cli("run", write_client(tmp_path), "--steps", "9", "--out", tmp_path / "r")
    assert code == 2 and "step(s) 9 are not available" in error_paragraph(err)


@pytest.mark.parametrize(
    "case",
    ["missing_config", "cp1250_declared_utf8", "decimal_mix", "run_empty_file"],
)
def test_subprocess_prints_one_paragraph_and_no_traceback(tmp_path, case):
    """The real command line: exit 2, stderr is progress bars plus the one paragraph."""
    if case == "missing_config":
        args = ["validate", str(tmp_path / "nothing.yml")]
    elif case == "cp1250_declared_utf8":
        rows = order_rows()
        rows[5][1] = "Łukasz"
        args = ["validate", str(write_client(tmp_path, csv_text(rows).encode("cp1250")))]
    elif case == "decimal_mix":
        change = {i: {3: f"{10 + i}.50"} for i in range(0, 200, 10)}
        args = ["validate", str(write_client(tmp_path, rows_with(change)))]
    else:
        config = write_client(tmp_path, "")
        args = ["run", str(config), "--out", str(tmp_path / "reports"), "--no-pdf", "--quiet"]
    done = subprocess.run(
        [sys.executable, "-m", "clvlib", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    paragraph = error_paragraph(done.stderr)
    assert "Fix:" in paragraph
    assert not [line for line in done.stderr.splitlines() if line.startswith("  File ")]


# =================================================================================================
# accepted: exit code 0, rows excluded under a named reason and counted, or a note
# =================================================================================================
def test_impossible_dates_are_excluded_and_counted(tmp_path):
    """Three '31.02.2024'-style dates among 200: sporadic entry errors, excluded as
    ``impossible_date`` (told apart from a date in another format) with the rows as examples."""
    change = {3: {2: "31.02.2024"}, 50: {2: "30.02.2024"}, 99: {2: "32.13.2024"}}
    loaded, out = accepted(write_client(tmp_path, rows_with(change)))
    q = loaded.quality["transactions"]
    assert q.rows_excluded == {"impossible_date": 3} and q.rows_used == 197
    assert [e["source_row"] for e in q.examples] == [4, 51, 100]
    assert "(impossible_date)" in out


def test_future_dates_are_excluded_and_counted(tmp_path):
    """Two orders dated 2099 (typos) without observation_end: excluded as ``future_date``
    instead of stretching the data window to 2099."""
    change = {10: {2: "01.01.2099"}, 20: {2: "15.06.2099"}}
    loaded, _ = accepted(write_client(tmp_path, rows_with(change)))
    q = loaded.quality["transactions"]
    assert q.rows_excluded == {"future_date": 2}
    assert loaded.observation_end == dt.date(2024, 7, 18)  # the last real order
    # "today" is the day of loading: with an earlier one, later orders are in the future too
    loaded = load(write_client(tmp_path, rows_with(change)), today=dt.date(2024, 7, 16))
    assert loaded.quality["transactions"].rows_excluded == {"future_date": 4}


def test_a_few_unreadable_amounts_are_excluded_and_counted(tmp_path):
    """'n/d', '12,x' and '12,00 zł' in 3 of 200 rows: dirt, not a pattern — excluded as
    ``non_numeric_amount`` and shown as examples."""
    change = {1: {3: "n/d"}, 2: {3: "12,x"}, 3: {3: "12,00 zł"}}
    loaded, _ = accepted(write_client(tmp_path, rows_with(change)))
    q = loaded.quality["transactions"]
    assert q.rows_excluded == {"non_numeric_amount": 3}
    assert [e["Kwota"] for e in q.examples] == ["n/d", "12,x", "12,00 zł"]


def test_a_few_decimal_points_are_excluded_and_counted(tmp_path):
    """Two '12.50' among 200 decimal-comma amounts: below the systematic threshold (10 rows and
    1 %), so excluded and counted."""
    change = {5: {3: "12.50"}, 6: {3: "7.99"}}
    loaded, _ = accepted(write_client(tmp_path, rows_with(change)))
    assert loaded.quality["transactions"].rows_excluded == {"non_numeric_amount": 2}


def test_order_id_reused_for_another_customer(tmp_path):
    """Order 'Z1' also appears for customer K2 (numbering restarted in a second shop): whose
    order it is cannot be told, so all its rows are excluded as ``conflicting_order_id``,
    counted, and a note names the fix."""
    rows = order_rows()
    rows.append(["Z1", "K2", "03.03.2024", "15,00"])
    loaded, out = accepted(write_client(tmp_path, csv_text(rows)))
    q = loaded.quality["transactions"]
    assert q.rows_excluded == {"conflicting_order_id": 2} and q.rows_used == 199
    assert {e["source_row"] for e in q.examples} == {2, 201}
    assert "order 'Z1' on data rows 2, 201" in q.notes[0] and "note:" in out


def test_order_lines_on_different_days_are_merged_with_a_note(tmp_path):
    """The same customer's order 'Z1' on two days (yearly numbering): counted as one order on
    its first day, as order lines are, and noted — a return of a line later is normal and not
    noted."""
    rows = order_rows()
    rows.append(["Z1", "K1", "02.02.2025", "15,00"])
    rows.append(["Z2", "K2", "10.02.2024", "-5,00"])  # a return of one line of Z2, later
    loaded, _ = accepted(write_client(tmp_path, csv_text(rows)))
    q = loaded.quality["transactions"]
    assert q.rows_excluded == {} and q.rows_used == 202
    assert any(n.startswith("1 order ids (column 'Nr zamówienia')") for n in q.notes)


SPEND_HEADER = "Miesiąc;Kanał;Koszt\n"
SPEND_CSV = {"sep": ";", "decimal": ",", "date_format": "%Y-%m"}
CUSTOMERS = "ID klienta;Źródło\n" + "".join(
    f"K{i};{'Facebook' if i % 2 else 'Polecenia'}\n" for i in range(40)
)
CUSTOMER_COLUMNS = {"customer_id": "ID klienta", "acquisition_channel": "Źródło"}


def spend_sources(spend: str) -> dict:
    return {
        "customers": {"path": "klienci.csv", "columns": CUSTOMER_COLUMNS, "csv": {"sep": ";"}},
        "marketing_spend": {
            "path": "wydatki.csv",
            "columns": {"period": "Miesiąc", "channel": "Kanał", "spend": "Koszt"},
            "csv": SPEND_CSV,
        },
    }


def spend_client(tmp_path: Path, spend: str) -> Path:
    files = {"klienci.csv": CUSTOMERS, "wydatki.csv": SPEND_HEADER + spend}
    return write_client(tmp_path, sources=spend_sources(spend), files=files)


def test_negative_spend_is_excluded_and_counted(tmp_path):
    """A spend of −500 (a credit note) would lower the channel's CAC: excluded as
    ``negative_spend``."""
    spend = "2024-01;Facebook;1 000,00\n2024-02;Facebook;-500,00\n2024-03;Polecenia;0,00\n"
    loaded, _ = accepted(spend_client(tmp_path, spend))
    q = loaded.quality["marketing_spend"]
    assert q.rows_excluded == {"negative_spend": 1} and q.rows_used == 2


def test_spend_outside_the_data_window_is_excluded_and_counted(tmp_path):
    """Spend for 2023-12 and 2024-09 when the orders run 2024-01-01 … 2024-07-18: the audit's
    customers cannot be matched to it (CAC would count spend without its acquisitions), so it
    is excluded as ``outside_window``; spend for the window's first month stays."""
    spend = "2023-12;Facebook;900,00\n2024-01;Facebook;1 000,00\n2024-09;Facebook;800,00\n"
    spend += "2024-07;Polecenia;0,00\n"
    loaded, _ = accepted(spend_client(tmp_path, spend))
    q = loaded.quality["marketing_spend"]
    assert q.rows_excluded == {"outside_window": 2} and q.rows_used == 2


def test_channel_in_spend_but_not_in_customers_and_the_reverse(tmp_path):
    """Spend on 'TikTok' that no customer names, and customers from 'Polecenia' that the spend
    export does not list: both are data the client should reconcile, not errors — notes say
    which channels, and step III treats them as documented (CAC unknown; organic)."""
    spend = "2024-01;Facebook;1 000,00\n2024-02;TikTok;700,00\n"
    loaded, out = accepted(spend_client(tmp_path, spend))
    notes = loaded.quality["marketing_spend"].notes
    assert any("spend but no customer" in n and "'TikTok'" in n for n in notes)
    assert any("does not list: 'Polecenia'" in n and "organic" in n for n in notes)
    assert "'TikTok'" in out


def test_unknown_funnel_steps_are_excluded_and_named(tmp_path):
    """Session steps 'wishlist' and 'search' not in funnel.steps: excluded as
    ``unknown_funnel_step``, and a note names them and says where to add them."""
    sessions = "session_id,ts,step\n" + "".join(
        f"S{i},2024-01-0{1 + i % 5} 10:00,{step}\n"
        for i, step in enumerate(["visit", "wishlist", "product_view", "search", "wishlist"])
    )
    sources = {"sessions": {"path": "sesje.csv"}}
    funnel = {"steps": ["visit", "product_view"]}
    config = write_client(tmp_path, sources=sources, files={"sesje.csv": sessions}, funnel=funnel)
    loaded, _ = accepted(config)
    q = loaded.quality["sessions"]
    assert q.rows_excluded == {"unknown_funnel_step": 3}
    assert "'wishlist' (2 rows), 'search' (1 rows)" in q.notes[0]


def test_every_spend_row_excluded_is_blocked(tmp_path):
    """Issue 16: every spend row negative (a sign convention of the export) left step III
    without spend and validate said exit 0. A configured table with no usable row is a
    configuration mistake: blocked, naming the table, the reason and both ways out."""
    spend = "".join(f"2024-0{m};Facebook;-1 000,00\n" for m in range(1, 7))
    paragraph = blocked(spend_client(tmp_path, spend), file="wydatki.csv", row=False)
    assert "none of the 6 rows of the marketing_spend table" in paragraph
    assert "negative_spend" in paragraph and "remove sources.marketing_spend" in paragraph


def test_funnel_step_that_never_occurs_is_blocked(tmp_path):
    """Issue 16: funnel.steps named 'platnosc' while the export spells 'kasa' (and
    'karta_produktu' was excluded as unknown): the funnel would read 0 % after that step.
    Blocked, naming the step, the export's own names and the fix."""
    steps = ["wizyta", "karta_produktu", "koszyk", "kasa", "zakup"]
    sessions = "session_id,ts,step\n" + "".join(
        f"S{i},2024-01-0{1 + i % 5} 10:00,{step}\n" for i, step in enumerate(steps * 3)
    )
    funnel = {"steps": ["wizyta", "karta", "koszyk", "platnosc", "zakup"]}
    sources = {"sessions": {"path": "sesje.csv"}}
    config = write_client(tmp_path, sources=sources, files={"sesje.csv": sessions}, funnel=funnel)
    paragraph = blocked(config, file="sesje.csv", column="step", row=False)
    assert "'karta', 'platnosc'" in paragraph and "never occur" in paragraph
    assert "'karta_produktu' (3 rows)" in paragraph and "'kasa' (3 rows)" in paragraph


def test_optional_column_empty_in_every_row(tmp_path):
    """A mapped margin column that is empty everywhere: not blocking (economics.gross_margin
    stands in), but noted and left out of the table, so no step reads an all-empty margin."""
    rows = [[*r, ""] for r in order_rows()]
    config = write_client(
        tmp_path, csv_text(rows, [*HEADER, "Marża"]), columns={**COLUMNS, "margin": "Marża"}
    )
    loaded, _ = accepted(config)
    q = loaded.quality["transactions"]
    assert q.rows_used == 200 and "margin" not in loaded.tables["transactions"].columns
    assert "margin (column 'Marża') is empty in every row" in q.notes[0]


def test_empty_optional_table(tmp_path):
    """An empty customers export: a note, and the steps that need it say what it would add."""
    sources = {"customers": {"path": "klienci.csv"}}
    loaded, _ = accepted(write_client(tmp_path, sources=sources, files={"klienci.csv": ""}))
    assert "customers" not in loaded.tables
    assert "empty" in loaded.quality["customers"].notes[0]


def test_one_customer_only(tmp_path):
    """A single customer's orders: valid data, thin statistics — validate accepts it (the
    audit's fallbacks are tested in test_degenerate_audits.py)."""
    rows = [r for r in order_rows() if r[1] == "K0"]
    loaded, _ = accepted(write_client(tmp_path, csv_text(rows)))
    assert loaded.quality["transactions"].rows_used == 5


def test_all_one_time_buyers(tmp_path):
    """Every customer bought once: valid data — accepted (see test_degenerate_audits.py)."""
    rows = order_rows(40)
    loaded, _ = accepted(write_client(tmp_path, csv_text(rows)))
    assert loaded.quality["transactions"].rows_used == 40


def test_zero_variance_in_spend(tmp_path):
    """The same spend every month: valid data — accepted (the spend-response fit's fallback is
    tested in test_degenerate_audits.py)."""
    spend = "".join(f"2024-0{m};Facebook;1 000,00\n" for m in range(1, 8))
    loaded, _ = accepted(spend_client(tmp_path, spend))
    assert loaded.quality["marketing_spend"].rows_used == 7
