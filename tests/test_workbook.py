"""tables.xlsx: every table the report shows, one sheet each in report order, read back with
openpyxl — numbers and dates (not text) with Excel formats per kind, frozen bold header, widths
that fit, pseudonymised ids (also in the run's records on disk), empty cells for missing values,
valid unique sheet names, a Figures sheet equal to metrics.json, and an atomic write.

The tables go through the real path: ``display.table_html(record_to=run_dir)`` records them
(as ``Audit.show`` does in a run) and ``render.assemble_html`` places them in report order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile

import nbformat
import openpyxl
import pandas as pd
import pytest
from babel.dates import format_skeleton
from babel.numbers import get_currency_symbol
from nbformat.v4 import new_code_cell, new_notebook, new_output

from clvlib.i18n import t
from clvlib.report import display, workbook
from clvlib.report.render import Cover, assemble_html

SECRET = "klucz-testowy-tabel"
RAW_IDS = ["jan.kowalski@example.com", "anna.nowak@example.com", "C-000017"]


def cover(locale: str = "pl") -> Cover:
    return Cover(
        client="Sklep",
        locale=locale,
        currency="PLN",
        window_start=dt.date(2023, 1, 1),
        window_end=dt.date(2025, 12, 31),
        prepared_by=None,
        created=dt.date(2026, 1, 2),
    )


def notebook(path, blocks):
    nb = new_notebook()
    cell = new_code_cell("...")
    cell.outputs = [new_output("display_data", data={"text/html": b}) for b in blocks]
    nb.cells = [cell]
    nbformat.write(nb, path)
    return path


def table(run_dir, frame, locale="pl", **kwargs):
    markup = display.table_html(
        frame, locale=locale, currency=kwargs.pop("currency", "PLN"), record_to=run_dir, **kwargs
    )
    return display.emit(markup)


CUSTOMERS = pd.DataFrame(
    {
        "customer_id": RAW_IDS,
        "first_purchase": pd.to_datetime(
            ["2023-01-05 10:30", "2024-02-29 00:00", "2025-12-31 00:00"]
        ),
        "orders": [12, 3, 1],
        "revenue": [12345.678, 45.5, float("nan")],
        "margin": [0.35, 0.125, None],
    }
)
KINDS = {"first_purchase": "date", "orders": "int", "revenue": "money", "margin": "pct1"}


@pytest.fixture
def run(tmp_path, monkeypatch):
    """A run directory whose notebooks showed three tables: step I (two) ran before the
    summary (one), but the summary comes first in the report."""
    monkeypatch.setenv("CLVLIB_SECRET", SECRET)
    run_dir = tmp_path / "run"
    step = notebook(
        tmp_path / "01.ipynb",
        [
            display.heading("pl", "Krok I — Kalkulacja", section="calculation"),
            table(run_dir, CUSTOMERS, formats=KINDS, caption="Najcenniejsi klienci"),
            display.heading("pl", "Parametry modelu: [r, α] / test?", level=2),
            table(
                run_dir,
                pd.DataFrame({"parameter": ["r", "alpha"], "estimate": [0.25, 4.5]}),
                formats={"estimate": "num3"},
            ),
        ],
    )
    summary = notebook(
        tmp_path / "06.ipynb",
        [
            display.heading("pl", "Podsumowanie", section="summary"),
            display.heading("pl", "Scenariusze", level=2),
            table(
                run_dir,
                pd.DataFrame({"lever": ["Retencja +5 pp"], "clv_change": [0.12]}),
                formats={"clv_change": "pct0"},
            ),
        ],
    )
    document = assemble_html([step, summary], cover())
    return run_dir, document


METRICS = {
    "calculation": {
        "customers": 1500,
        "aov": 203.25,
        "repeat_rate": 0.75,
        "top20_share": 0.589,
        "purchase_frequency_per_year": 2.51,
        "simple_clv": 382.65,
        "clv": {
            "mean": 159.08,
            "ci_low": 145.98,
            "ci_high": 172.19,
            "total": 238628.19,
            "total_ci_low": 218984.22,
            "total_ci_high": None,  # an interval with one end missing is no interval
            "horizon_months": 36,
            "new_customer": {"value": 350.71, "ci_low": 325.88, "ci_high": 374.22},
        },
    },
    "channels_detail": {"overall": {"cac": 152.98, "ltv_cac": 2.29}},
}


def write(run, locale="pl", currency="PLN", metrics=METRICS):
    run_dir, document = run
    path = workbook.write_tables_xlsx(run_dir, document, metrics, locale=locale, currency=currency)
    assert path == run_dir / "tables.xlsx"
    return openpyxl.load_workbook(path)


# -- order, headers, sheets -------------------------------------------------------------------
def test_sheets_follow_the_report_not_the_order_the_notebooks_ran(run):
    wb = write(run)
    assert wb.sheetnames == [
        "Wartości",
        "Scenariusze",  # the summary's table: shown last, first in the report
        "Najcenniejsi klienci",  # a caption names its sheet
        "Parametry modelu - r, α - test",  # else the heading above, without []:*?/\\
    ]
    headers = [[c.value for c in ws[1]] for ws in wb.worksheets[1:]]
    pl = lambda key: t(key, "pl")  # noqa: E731
    assert headers == [
        [pl("col.lever"), pl("col.clv_change")],
        [pl("col.customer_id"), pl("col.first_purchase"), pl("col.orders"), pl("col.revenue"),
         pl("col.margin")],
        [pl("col.parameter"), pl("col.estimate")],
    ]  # fmt: skip
    assert headers[1][1] == "Pierwszy zakup"  # the report's language


def test_every_sheet_has_a_bold_frozen_header_and_filters(run):
    wb = write(run)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.bold for c in ws[1]), ws.title
        assert ws.auto_filter.ref.startswith("A1:"), ws.title


def test_a_sheet_carries_its_section_heading_and_caption_as_a_note(run):
    ws = write(run)["Najcenniejsi klienci"]
    assert ws["A1"].comment.text == "Krok I — Kalkulacja — Najcenniejsi klienci"
    assert ws.oddHeader.center.text == "Krok I — Kalkulacja — Najcenniejsi klienci"


# -- values and formats -----------------------------------------------------------------------
def test_values_are_numbers_and_dates_with_a_format_per_kind(run):
    ws = write(run)["Najcenniejsi klienci"]
    rows = list(ws.iter_rows(min_row=2))
    orders, revenue, margin = ([r[i] for r in rows] for i in (2, 3, 4))
    assert [c.value for c in orders] == [12, 3, 1] and {c.data_type for c in orders} == {"n"}
    assert orders[0].number_format == "#,##0"
    assert revenue[0].value == 12345.678 and revenue[0].data_type == "n"
    zl = get_currency_symbol("PLN", "pl")  # the locale's symbol, after the number in Polish
    assert zl == "zł"
    assert revenue[0].number_format == '#,##0"\u00a0zł"'  # 0 decimals from 100 up, as the PDF
    assert revenue[1].number_format == '#,##0.00"\u00a0zł"'  # 2 decimals below 100
    assert margin[0].value == 0.35 and margin[0].number_format == "0.0%"
    assert margin[1].value == 0.125
    first = [r[1] for r in rows]
    assert first[0].is_date and first[0].value == dt.datetime(2023, 1, 5, 10, 30)
    assert first[1].value == dt.datetime(2024, 2, 29)
    assert "yyyy" in first[0].number_format and "h" not in first[0].number_format


def test_missing_values_are_empty_cells_never_nan(run):
    wb = write(run)
    ws = wb["Najcenniejsi klienci"]
    last = [c.value for c in list(ws.iter_rows(min_row=4, max_row=4))[0]]
    assert last[1:] == [dt.datetime(2025, 12, 31), 1, None, None]  # NaN, None: empty
    xml = xml_of(wb_path(run))
    assert not re.search(r">(nan|NaN|None|NaT|inf)<", xml)


def test_the_figures_sheet_equals_metrics(run):
    ws = write(run).worksheets[0]
    assert [c.value for c in ws[1]][:4] == [
        t("col.quantity", "pl"), t("col.value", "pl"), t("col.ci_low", "pl"), t("col.ci_high", "pl")
    ]  # fmt: skip
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    by_value = {r[1]: r for r in rows}
    calc, clv = METRICS["calculation"], METRICS["calculation"]["clv"]
    assert by_value[clv["mean"]][:5] == [t("sum.box.clv", "pl"), 159.08, 145.98, 172.19, "PLN"]
    assert by_value[clv["total"]][2:4] == [None, None]  # one end missing: no interval
    new = clv["new_customer"]
    assert by_value[new["value"]][2:4] == [new["ci_low"], new["ci_high"]]
    expected = {
        clv["mean"], clv["total"], new["value"], calc["simple_clv"], calc["aov"],
        calc["purchase_frequency_per_year"], calc["repeat_rate"], calc["top20_share"],
        calc["customers"], METRICS["channels_detail"]["overall"]["cac"],
        METRICS["channels_detail"]["overall"]["ltv_cac"],
    }  # fmt: skip
    assert set(by_value) == expected and len(rows) == len(expected)
    formats = {r[1].value: r[1].number_format for r in ws.iter_rows(min_row=2)}
    assert formats[calc["repeat_rate"]] == "0.0%" and formats[calc["customers"]] == "#,##0"
    labels = [r[0] for r in rows]
    assert len(set(labels)) == len(labels), "two figures under one name"  # predictive vs simple
    assert by_value[calc["simple_clv"]][0] == t("xlsx.simple_clv", "pl")


def test_figures_leave_out_what_was_not_recorded(run):
    ws = write(run, metrics={"calculation": {"customers": 30}}).worksheets[0]
    assert [[c.value for c in r][:2] for r in ws.iter_rows(min_row=2)] == [
        [t("sum.box.customers", "pl"), 30]
    ]


def test_text_stays_text_and_never_becomes_a_formula(tmp_path):
    run_dir = tmp_path / "run"
    frame = pd.DataFrame(
        {
            "channel": ['=HYPERLINK("http://x")', "+48 601", "Allegro\x07"],
            "clv": ["159 zł (146–172 zł)", "—", "12"],  # pre: formatted text, "—" is missing
            "periods": [12.0, 7.0, 3.0],  # pre, but numbers in the frame: numbers stay
            "month": [1, 12, None],
        }
    )
    blocks = [
        display.heading("en", "Step III", section="channels"),
        table(run_dir, frame, locale="en", formats={"clv": "pre", "periods": "pre",
                                                    "month": "month"}),
    ]  # fmt: skip
    document = assemble_html([notebook(tmp_path / "03.ipynb", blocks)], cover("en"))
    path = workbook.write_tables_xlsx(run_dir, document, {}, locale="en", currency="PLN")
    ws = openpyxl.load_workbook(path).worksheets[1]
    channel, clv, periods, month = ([row[i] for row in ws.iter_rows(min_row=2)] for i in range(4))
    assert [c.value for c in channel] == ['=HYPERLINK("http://x")', "+48 601", "Allegro"]
    assert {c.data_type for c in channel} == {"s"}
    assert "<f>" not in xml_of(path)
    assert [c.value for c in clv] == ["159 zł (146–172 zł)", None, "12"]
    assert [c.value for c in periods] == [12, 7, 3] and periods[0].data_type == "n"
    assert [c.value for c in month] == ["January", "December", None]


def test_columns_fit_their_content_up_to_a_cap(tmp_path):
    run_dir = tmp_path / "run"
    long_text = "słowo " * 40
    frame = pd.DataFrame({"action": ["krótko", long_text], "revenue": [1234567.0, 5.0]})
    blocks = [
        display.heading("pl", "Krok I", section="calculation"),
        table(run_dir, frame, formats={"revenue": "money"}, labels={"revenue": "Zł"}),
    ]
    document = assemble_html([notebook(tmp_path / "01.ipynb", blocks)], cover())
    path = workbook.write_tables_xlsx(run_dir, document, {}, locale="pl", currency="PLN")
    ws = openpyxl.load_workbook(path).worksheets[1]
    action, revenue = ws.column_dimensions["A"].width, ws.column_dimensions["B"].width
    assert action == workbook.MAX_WIDTH and ws["A3"].alignment.wrap_text
    shown = len("1 234 567 zł")  # as the PDF prints it
    assert shown + 1 <= revenue <= shown + 4
    assert ws.column_dimensions["A"].width >= len(t("col.action", "pl"))


# -- privacy ----------------------------------------------------------------------------------
def wb_path(run):
    return run[0] / "tables.xlsx"


def xml_of(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist())


def test_no_raw_customer_id_in_the_workbook_or_the_runs_records(run):
    write(run)
    run_dir, _ = run
    xml = xml_of(wb_path(run))
    on_disk = [p.read_bytes() for p in run_dir.rglob("*") if p.is_file()]
    for raw in RAW_IDS:
        assert raw not in xml
        assert all(raw.encode() not in data for data in on_disk)
    expected = display.pseudonymize(RAW_IDS, key=SECRET.encode())  # the HTML's key and hash
    ws = openpyxl.load_workbook(wb_path(run))["Najcenniejsi klienci"]
    assert [row[0].value for row in ws.iter_rows(min_row=2)] == expected


def test_without_pseudonymisation_the_ids_are_those_of_the_html(tmp_path, monkeypatch):
    monkeypatch.setenv("CLVLIB_SECRET", SECRET)
    run_dir = tmp_path / "run"
    markup = table(run_dir, CUSTOMERS[["customer_id"]], pseudonymize_ids=False)
    document = assemble_html(
        [notebook(tmp_path / "01.ipynb", [display.heading("pl", "K", section="calculation"),
                                          markup])], cover()
    )  # fmt: skip
    path = workbook.write_tables_xlsx(run_dir, document, {}, locale="pl", currency="PLN")
    ws = openpyxl.load_workbook(path).worksheets[1]
    assert [row[0].value for row in ws.iter_rows(min_row=2)] == RAW_IDS


def test_tables_outside_a_run_are_not_recorded(tmp_path, monkeypatch):
    from clvlib.audit import Audit

    monkeypatch.setenv("CLVLIB_SECRET", SECRET)
    monkeypatch.chdir(tmp_path)
    orders = pd.DataFrame(
        {"customer_id": ["a", "b"], "order_ts": pd.to_datetime(["2024-01-01", "2024-02-01"]),
         "revenue": [10.0, 20.0]}
    )  # fmt: skip
    audit = Audit.from_frames(orders)
    markup = audit.show(orders, formats={"revenue": "money"})
    assert display.TABLE_ATTR not in markup and list(tmp_path.iterdir()) == []
    audit.run_dir = tmp_path / "run"
    markup = audit.show(orders, formats={"revenue": "money"})
    assert f'{display.TABLE_ATTR}="t0001"' in markup
    assert (tmp_path / "run" / display.TABLES_DIR / "t0001.pkl").is_file()


# -- sheet names, formats per locale, atomic write -------------------------------------------
def test_sheet_names_are_valid_short_and_unique():
    taken: set[str] = set()
    names = [
        workbook.sheet_name(title, taken, fallback="Tabela 9")
        for title in [
            "Parametry modelu: [r, α] / test?*",
            "Bardzo długi tytuł tabeli, który nie mieści się w nazwie arkusza",
            "Bardzo długi tytuł tabeli, który nie mieści się w nazwie arkusza",
            "SEGMENTY",
            "segmenty",
            "'cytat'",
            "[]:*?/\\",
            "History",
            "Porównanie modeli (do CLV używamy modelu o najniższym AIC)",
        ]
    ]
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), name
        assert not name.startswith("'") and not name.endswith("'"), name
    assert names[1] == "Bardzo długi tytuł tabeli," or names[1].endswith("tabeli")
    assert names[2].endswith(" (2)") and names[4] == "segmenty (2)"
    assert names[5] == "cytat" and names[6] == "Tabela 9" and names[7] == "History (2)"
    assert names[8] == "Porównanie modeli"  # cut before a parenthesis it would leave open


@pytest.mark.parametrize("locale", ["pl", "pl_PL", "en_GB", "en_US", "de_DE", "cs_CZ"])
def test_date_format_reads_like_babels_date(locale):
    """The Excel format rendered by hand (yyyy → year, mm → month, dd/d → day) gives what
    Babel prints for the locale's numeric date with a four-digit year (skeleton yMMdd)."""
    code = workbook.date_format(locale)
    day = dt.date(2026, 3, 7)
    rendered = re.sub(
        r"\\(.)|yyyy|mm|m|dd|d",
        lambda m: (
            m.group(1) or {"yyyy": "2026", "mm": "03", "m": "3", "dd": "07", "d": "7"}[m.group(0)]
        ),
        code,
    )
    assert rendered == format_skeleton("yMMdd", day, locale=locale).replace("\u202f", " ")


@pytest.mark.parametrize(
    ("currency", "locale"),
    [("PLN", "pl_PL"), ("GBP", "en_GB"), ("USD", "en_US"), ("EUR", "de_DE"), ("CZK", "cs_CZ"),
     ("PLN", "en_GB"), ("CHF", "de_CH")],
)  # fmt: skip
def test_money_format_puts_the_locales_symbol_where_babel_does(currency, locale):
    from babel.numbers import format_currency

    code = workbook.money_format(currency, locale, 0)
    literals = re.findall(r'"([^"]*)"', code)
    symbol = get_currency_symbol(currency, locale)
    assert "".join(literals).strip("\u00a0 ") == symbol
    printed = format_currency(1234, currency, locale=locale)
    symbol_first = printed.index(symbol) < printed.index("1")
    assert code.startswith('"') == symbol_first, (code, printed)
    assert re.sub(r'"[^"]*"', "", code) == "#,##0"


def test_number_formats_per_kind():
    fmt = lambda kind, v=1.0: workbook.number_format(kind, v, currency="GBP", locale="en_GB")  # noqa: E731
    assert fmt("money", 1234.0) == '"£"#,##0' and fmt("money", 12.5) == '"£"#,##0.00'
    assert fmt("money2", 1234.0) == '"£"#,##0.00'
    assert fmt("int") == "#,##0" and fmt("num1") == "#,##0.0" and fmt("num") == "#,##0.00"
    assert fmt("num0") == "#,##0" and fmt("pct") == "0.0%" and fmt("pct0") == "0%"
    assert fmt("pct2") == "0.00%" and fmt("text") == "General" and fmt("pre") == "General"


def test_a_table_the_run_did_not_record_is_an_error(run):
    run_dir, document = run
    (run_dir / display.TABLES_DIR / "t0002.pkl").unlink()
    with pytest.raises(RuntimeError, match="t0002"):
        workbook.write_tables_xlsx(run_dir, document, METRICS, locale="pl", currency="PLN")
    assert not (run_dir / "tables.xlsx").exists()


def test_a_failed_write_leaves_the_previous_workbook_and_no_temporary_file(run, monkeypatch):
    write(run)
    before = wb_path(run).read_bytes()
    from clvlib.report import metrics as metrics_module

    real = metrics_module.os.replace

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(metrics_module.os, "replace", full_disk)
    run_dir, document = run
    with pytest.raises(OSError, match="No space"):
        workbook.write_tables_xlsx(run_dir, document, METRICS, locale="pl", currency="PLN")
    monkeypatch.setattr(metrics_module.os, "replace", real)
    assert wb_path(run).read_bytes() == before
    assert [p.name for p in run_dir.iterdir() if p.name.startswith(".")] == []


def test_an_english_report_gets_english_sheets_and_pound_amounts(run):
    wb = write(run, locale="en_GB", currency="GBP")
    assert wb.sheetnames[0] == "Figures"
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]][4] == "Unit"
    mean = next(r for r in ws.iter_rows(min_row=2) if r[1].value == 159.08)
    assert mean[1].number_format == '"£"#,##0' and mean[4].value == "GBP"
    assert not math.isnan(mean[2].value)


# -- the numbers behind pre-formatted columns (display.Numbers) -------------------------------
CHANNELS = pd.DataFrame(
    {
        "channel": ["Allegro", "Organic", "Google"],
        "cac": [152.98, float("nan"), 87.5],
        "clv_mean": [160.4, 98.25, float("nan")],
        "clv_low": [146.1, 80.0, float("nan")],
        "clv_high": [172.9, 120.5, float("nan")],
        "ltv_cac": [1.0485, float("nan"), 2.5],
    }
)
QUANTITIES = pd.DataFrame({"quantity": ["AOV", "Marża"], "value": [203.254, 0.35]})


def channel_tables(run_dir, locale="pl"):
    """The channel table as a narrative shows it (pre-formatted text) and the numbers behind
    it: the same HTML with and without ``numbers``; the second table is recorded last."""
    shown = pd.DataFrame(
        {
            "channel": CHANNELS["channel"],
            "cac": ["153 zł", "organiczny", "87,50 zł"],
            "clv": ["160 zł (146–173)", "98,25 zł (80–121)", "—"],
            "ltv_cac": ["1,0", "–", "2,5"],
        }
    )
    formats = dict.fromkeys(("cac", "clv", "ltv_cac"), "pre")
    numbers = {
        "cac": display.Numbers(CHANNELS["cac"], "money"),
        "clv": display.Numbers.interval(CHANNELS, "clv_mean", "clv_low", "clv_high", "money"),
        "ltv_cac": (CHANNELS["ltv_cac"], "num1"),  # a plain (values, kind) pair works too
    }
    labels = {"cac": "CAC", "clv": t("col.clv", locale), "ltv_cac": "LTV:CAC"}
    plain = table(run_dir, shown, locale=locale, formats=formats, labels=labels)
    with_numbers = table(
        run_dir, shown, locale=locale, formats=formats, labels=labels, numbers=numbers
    )
    return plain, with_numbers


def sheet_of_last_table(tmp_path, run_dir, blocks, locale="pl"):
    document = assemble_html([notebook(tmp_path / "03.ipynb", blocks)], cover(locale))
    path = workbook.write_tables_xlsx(run_dir, document, {}, locale=locale, currency="PLN")
    return openpyxl.load_workbook(path).worksheets[-1]


def test_numbers_replace_a_formatted_column_in_the_workbook_and_leave_the_html(tmp_path):
    """A "value (low–high)" text column becomes three numeric columns (value, interval's
    ends) in money format under headers in the report's language; "organic", "–" and "—"
    become empty cells; the HTML is the same byte for byte (but for the table's name)."""
    run_dir = tmp_path / "run"
    plain, with_numbers = channel_tables(run_dir)
    assert with_numbers.replace('"t0002"', '"t0001"') == plain
    heading = display.heading("pl", "Krok III", section="channels")
    ws = sheet_of_last_table(tmp_path, run_dir, [heading, with_numbers])
    assert [c.value for c in ws[1]] == [
        "Kanał", "CAC", "CLV", "CLV: 95 % PU od", "CLV: 95 % PU do", "LTV:CAC"
    ]  # fmt: skip
    assert t("col.channel", "pl") == "Kanał" and t("col.clv", "pl") == "CLV (95 % PU)"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows == [
        ["Allegro", 152.98, 160.4, 146.1, 172.9, 1.0485],
        ["Organic", None, 98.25, 80.0, 120.5, None],
        ["Google", 87.5, None, None, None, 2.5],
    ]
    cells = {c.coordinate: c for row in ws.iter_rows(min_row=2) for c in row}
    assert all(c.data_type == "n" for k, c in cells.items() if k[0] != "A" and c.value)
    zl = '"\u00a0zł"'
    assert cells["B2"].number_format == "#,##0" + zl  # as the PDF: no decimals from 100 up
    assert cells["B4"].number_format == "#,##0.00" + zl
    assert cells["D3"].number_format == "#,##0.00" + zl  # the interval's ends: same kind
    assert cells["F2"].number_format == "#,##0.0"


def test_numbers_headers_in_english(tmp_path):
    run_dir = tmp_path / "run"
    _, with_numbers = channel_tables(run_dir, locale="en")
    heading = display.heading("en", "Step III", section="channels")
    ws = sheet_of_last_table(tmp_path, run_dir, [heading, with_numbers], locale="en")
    assert [c.value for c in ws[1]][2:5] == ["CLV", "CLV: 95% CI low", "CLV: 95% CI high"]


def test_numbers_with_one_kind_per_row_and_words_as_a_note(tmp_path):
    """A column of different quantities gets each row's format; words the table shows
    instead of a number go to a text column of their own, the number's cell stays empty."""
    run_dir = tmp_path / "run"
    shown = QUANTITIES.assign(value=["203,25 zł", "35,0%"])
    factors = table(
        run_dir,
        shown,
        formats={"value": "pre"},
        numbers={"value": display.Numbers(QUANTITIES["value"], ["money2", "pct"])},
    )
    words = pd.DataFrame({"value": [1500.0, None], "note": [None, "opłaca się wszędzie"]})
    break_even = table(
        run_dir,
        pd.DataFrame({"channel": ["A", "B"], "break_even_spend": ["1 500 zł", "opłaca się"]}),
        formats={"break_even_spend": "pre"},
        labels={"break_even_spend": "Próg"},
        numbers={"break_even_spend": display.Numbers(words, "money")},
    )
    heading = display.heading("pl", "Krok I", section="calculation")
    document = assemble_html([notebook(tmp_path / "01.ipynb", [heading, factors, break_even])],
                             cover())  # fmt: skip
    path = workbook.write_tables_xlsx(run_dir, document, {}, locale="pl", currency="PLN")
    first, second = openpyxl.load_workbook(path).worksheets[1:]
    values = [row[1] for row in first.iter_rows(min_row=2)]
    assert [c.value for c in values] == [203.254, 0.35]
    assert [c.number_format for c in values] == ['#,##0.00"\u00a0zł"', "0.0%"]
    assert [c.value for c in second[1]] == ["Kanał", "Próg", "Próg: uwaga"]
    assert [[c.value for c in r] for r in second.iter_rows(min_row=2)] == [
        ["A", 1500, None],
        ["B", None, "opłaca się wszędzie"],
    ]
    assert second["C3"].data_type == "s"


def test_numbers_must_match_the_table(tmp_path):
    run_dir = tmp_path / "run"
    shown = pd.DataFrame({"clv": ["1 zł", "2 zł"]})
    short = display.Numbers(pd.Series([1.0]), "money")
    with pytest.raises(ValueError, match="one row per row"):
        table(run_dir, shown, formats={"clv": "pre"}, numbers={"clv": short})
    with pytest.raises(ValueError, match="one row per row"):  # outside a run as well
        display.table_html(shown, locale="pl", currency="PLN", numbers={"clv": short})
    assert not (run_dir / display.TABLES_DIR).exists()  # nothing recorded
    with pytest.raises(ValueError, match="kinds for 2 rows"):
        table(run_dir, shown, numbers={"clv": (pd.Series([1.0, 2.0]), ["money"])})
    with pytest.raises(KeyError, match="cac"):
        table(run_dir, shown, numbers={"cac": (pd.Series([1.0, 2.0]), "money")})
    odd = pd.DataFrame({"value": [1.0, 2.0], "mean": [1.0, 2.0]})
    with pytest.raises(ValueError, match="value\\[, low, high, note\\]"):
        table(run_dir, shown, numbers={"clv": (odd, "money")})
