"""``clv-audit init`` (clvlib.draft): the drafted client.yml maps the demo's exports as the demo's
own client.yml does, in every dialect a Polish client may send them in, leaves ambiguity as a
choice, reports files it cannot use, never writes where it must not, and passes ``validate``.

The truth every test compares with is independent of the code under test: the demo generator's
own ``client.yml`` (which columns are which, in the original Polish files) and the way each
variant below is made from it (headers renamed by a fixed table, re-encoded, re-separated,
dates re-formatted with ``strftime``, copied to Excel and Parquet with pandas).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import shutil

import ibis
import pandas as pd
import pytest
import yaml

from clvlib.cli import main
from clvlib.config import load_config
from clvlib.data.demo import write_demo
from clvlib.data.load import load_tables
from clvlib.data.schema import TABLES

CUSTOMERS = 500
DEMO_TABLES = tuple(TABLES)  # the demo writes all five
ENGLISH = {  # Polish demo header -> the name an English export (Shopify-like) gives it
    "Nr zamówienia": "Order Number",
    "ID klienta": "Customer ID",
    "Data zamówienia": "Order Date",
    "Kod produktu": "SKU",
    "Kategoria": "Product Category",
    "Ilość": "Quantity",
    "Cena jedn. brutto": "Unit Price",
    "Kanał sprzedaży": "Sales Channel",
    "Kod rabatowy": "Discount Code",
    "E-mail": "Email",
    "Data rejestracji": "Signup Date",
    "Źródło pozyskania": "Acquisition Source",
    "Program lojalnościowy": "Loyalty Member",
    "Data przystąpienia": "Loyalty Joined",
    "Opiekun": "Account Manager",
    "Województwo": "Region",
    "Miesiąc": "Month",
    "Kanał": "Channel",
    "Koszt": "Cost",
    "Wyświetlenia": "Impressions",
    "Kliknięcia": "Clicks",
    "ID wiadomości": "Message ID",
    "Data wysyłki": "Sent At",
    "Kampania": "Campaign",
    "Data otwarcia": "Opened At",
    "Data kliknięcia": "Clicked At",
    "Data wypisania": "Unsubscribed At",
    "Przypisane zamówienie": "Attributed Order",
    "ID sesji": "Session ID",
    "Czas": "Timestamp",
    "Etap": "Event",
    "Źródło ruchu": "Traffic Source",
}


# -- the demo and its own mapping -------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo folder and its own client.yml, loaded: the reference mapping."""
    out = tmp_path_factory.mktemp("demo")
    config = load_config(write_demo(out, customers=CUSTOMERS, seed=7, progress=False))
    return out, config


def read_demo(folder, table: str) -> pd.DataFrame:
    """A demo export as text (empty fields stay empty strings)."""
    return pd.read_csv(
        folder / f"{table}.csv", sep=";", encoding="cp1250", dtype=str, keep_default_na=False
    )


def kinds(config, table: str) -> dict[str, str]:
    """The demo's client column -> schema type (ts, money ...) of the column it maps to."""
    source = getattr(config.sources, table)
    return {col: TABLES[table].types[canonical] for canonical, col in source.columns.items()}


def reformat_dates(frame: pd.DataFrame, config, table: str, fmt: str) -> pd.DataFrame:
    """Dates the demo writes as dd.mm.yyyy[ HH:MM[:SS]] rewritten with ``fmt`` (its time part
    kept only where the value had one); unreadable (dirty) values stay as they are."""
    frame = frame.copy()
    for col, kind in kinds(config, table).items():
        if kind not in ("ts", "date"):
            continue

        def convert(text: str) -> str:
            for source_fmt, target in (
                ("%d.%m.%Y %H:%M:%S", fmt + " %H:%M:%S"),
                ("%d.%m.%Y %H:%M", fmt + " %H:%M"),
                ("%d.%m.%Y", fmt),
            ):
                try:
                    return dt.datetime.strptime(text, source_fmt).strftime(target)
                except ValueError:
                    continue
            return text

        frame[col] = frame[col].map(convert)
    return frame


def point_decimals(frame: pd.DataFrame, config, table: str) -> pd.DataFrame:
    """'122,45' -> '122.45' in the amount columns (dirty values stay)."""
    frame = frame.copy()
    for col, kind in kinds(config, table).items():
        if kind in ("money", "number"):
            frame[col] = frame[col].str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)
    return frame


def typed(frame: pd.DataFrame, config, table: str) -> pd.DataFrame:
    """Dates as datetimes and amounts as floats, as Excel or Parquet hold them; a value that
    does not read stays text (Excel) — the Parquet copy makes it empty."""
    frame = frame.copy()
    for col, kind in kinds(config, table).items():
        if kind in ("ts", "date"):
            parsed = pd.to_datetime(frame[col], format="%d.%m.%Y %H:%M:%S", errors="coerce")
            for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%Y"):
                parsed = parsed.fillna(pd.to_datetime(frame[col], format=fmt, errors="coerce"))
            frame[col] = [p.to_pydatetime() if pd.notna(p) else (t or None)
                          for p, t in zip(parsed, frame[col], strict=True)]  # fmt: skip
        elif kind in ("money", "number"):
            numbers = pd.to_numeric(frame[col].str.replace(",", "."), errors="coerce")
            frame[col] = [float(x) if pd.notna(x) else (t or None)
                          for x, t in zip(numbers, frame[col], strict=True)]  # fmt: skip
    return frame.replace({"": None})


# -- the variants -----------------------------------------------------------------------------
# name -> (English headers?, writer options, expected csv options of every table)
DIALECTS = {
    "polish-cp1250": dict(english=False),
    "utf8-bom": dict(english=False, encoding="utf-8-sig"),
    "iso-8859-2": dict(english=False, encoding="iso-8859-2"),
    "english-comma-iso-dates": dict(
        english=True, encoding="utf-8", sep=",", decimal=".", dates="%Y-%m-%d"
    ),
    "tab-separated": dict(english=False, encoding="utf-8", sep="\t"),
    "us-dates": dict(english=True, encoding="utf-8", sep=",", decimal=".", dates="%m/%d/%Y"),
    "slash-dates-semicolon": dict(english=False, encoding="cp1250", dates="%d/%m/%Y"),
    "title-lines": dict(english=False, title=["Raport z systemu sklepu", "Wygenerowano: dziś"]),
    "xlsx": dict(english=False, excel=True),
    "english-parquet": dict(english=True, parquet=True),
}


def expected_date_format(demo_format: str, dates: str | None) -> str | None:
    """The demo's date format with its date part replaced (ISO needs none)."""
    if dates == "%Y-%m-%d":
        return None
    return demo_format.replace("%d.%m.%Y", dates) if dates else demo_format


def make_variant(demo, root, name: str):
    """Write the demo's five tables in dialect ``name``; return the folder and the expected
    ``{table: (file name, columns mapping, csv options or None)}``."""
    folder_in, config = demo
    spec = DIALECTS[name]
    folder = root / name
    folder.mkdir()
    rename = ENGLISH if spec["english"] else {}
    expected = {}
    for table in DEMO_TABLES:
        source = getattr(config.sources, table)
        frame = read_demo(folder_in, table)
        columns = {c: rename.get(col, col) for c, col in source.columns.items()}
        if spec.get("excel") or spec.get("parquet"):
            frame = typed(frame, config, table).rename(columns=rename)
            if spec.get("excel"):  # openpyxl is slow: 1,500 rows hold every kind of value
                file = folder / f"{table}.xlsx"
                frame.head(1500).to_excel(file, index=False, sheet_name="Dane")
            else:
                file = folder / f"{table}.parquet"
                for col in frame:  # Parquet columns have one type: unreadable values are empty
                    if any(isinstance(v, dt.datetime) for v in frame[col]):
                        frame[col] = pd.to_datetime(frame[col], errors="coerce")
                    elif any(isinstance(v, float) for v in frame[col]):
                        frame[col] = pd.to_numeric(frame[col], errors="coerce")
                frame.to_parquet(file, index=False)
            expected[table] = (file.name, columns, None)
            continue
        if spec.get("dates"):
            frame = reformat_dates(frame, config, table, spec["dates"])
        if spec.get("decimal") == ".":
            frame = point_decimals(frame, config, table)
        frame = frame.rename(columns=rename)
        file = folder / f"{table}.csv"
        encoding, sep = spec.get("encoding", "cp1250"), spec.get("sep", ";")
        text = frame.to_csv(sep=sep, index=False, lineterminator="\r\n")
        title = "".join(f"{line}\r\n" for line in spec.get("title", []))
        file.write_bytes((title + text).encode(encoding))
        options = {
            "encoding": codecs.lookup(encoding).name,
            "sep": sep,
            "decimal": spec.get("decimal", ","),
            "date_format": expected_date_format(source.csv.date_format, spec.get("dates")),
            "skip_rows": len(spec.get("title", [])),
        }
        expected[table] = (file.name, columns, options)
    return folder, expected


def unwrapped(path) -> str:
    """The draft's text with wrapped comments joined again (a comment continues on the next
    line after '#')."""
    return re.sub(r"\n\s*#\s+(?=[^\s])", " ", path.read_text(encoding="utf-8"))


def run_init(folder, out, *extra) -> int:
    return main(["init", str(folder), "--out", str(out), *extra])


def quality(config_path):
    config = load_config(config_path)
    return load_tables(config, ibis.duckdb.connect(), progress=False).quality


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_every_dialect_maps_like_the_demo_and_validates(demo, tmp_path, capsys, dialect):
    """Each table is found in its file and every column mapped exactly as the demo's own
    client.yml maps it (headers renamed by ENGLISH where the variant is English); the csv
    options are the ones the variant was written with; the draft validates (exit 0) and every
    row read is used or excluded."""
    folder, expected = make_variant(demo, tmp_path, dialect)
    out = tmp_path / "client.yml"
    assert run_init(folder, out) == 0
    printed = capsys.readouterr().out
    assert printed.strip().splitlines()[-1] == str(out)
    draft = load_config(out)
    assert sorted(draft.sources.present()) == sorted(DEMO_TABLES)
    for table, (file, columns, options) in expected.items():
        source = getattr(draft.sources, table)
        assert source.path.name == file, table
        assert (folder / file).samefile(draft.source_path(table))
        assert source.columns == columns, table
        if options is not None:
            got = source.csv
            assert codecs.lookup(got.encoding).name == options["encoding"], table
            assert (got.sep, got.decimal, got.skip_rows) == (
                options["sep"],
                options["decimal"],
                options["skip_rows"],
            ), table
            assert got.date_format == options["date_format"], table
        else:
            assert source.csv.date_format is None, table  # typed dates need no format
    assert main(["validate", str(out)]) == 0
    rows = {t: q for t, q in quality(out).items()}
    for table, (file, _, _) in expected.items():
        q = rows[table]
        assert q.reconciles(), table
        if file.endswith(".csv"):
            text = (folder / file).read_bytes()
            skip = expected[table][2]["skip_rows"]
            assert q.rows_read == text.count(b"\r\n") - 1 - skip, table


def test_polish_draft_states_confidence_and_the_data_window(demo, tmp_path):
    """The demo draft carries each guess's confidence and evidence, the economics defaults to
    confirm, and observation_end = the last order date in the file: the demo's stated end plus
    the few 'outside_window' rows it injects after it, which the draft points out."""
    folder, config = demo
    out = tmp_path / "client.yml"
    assert run_init(folder, out) == 0
    text = unwrapped(out)
    draft = load_config(out)
    raw = read_demo(folder, "transactions")["Data zamówienia"]
    last = pd.to_datetime(raw, format="%d.%m.%Y %H:%M", errors="coerce").max().date()
    assert draft.observation_end == last > config.observation_end
    assert f"dated after {config.observation_end.isoformat()}" in text
    assert draft.economics == config.economics  # the defaults, to confirm
    assert draft.holdout_weeks == "auto"  # 26 weeks here, or a year for a strong season
    assert "holdout_weeks: auto" in text and "26 weeks of the" in text
    for word in ("CONFIRM", "gross_margin", "# 1.00: name", "DuckDB's sniffer agrees"):
        assert word in text
    assert "ground_truth_customers.csv" in text  # listed as not used, with why
    assert draft.locale == "pl"


def test_english_terse_names_and_a_revenue_column(demo, tmp_path):
    """Short English names ('customer', 'invoice', 'date', 'amount') in camelCase and
    snake_case map by name and content; an order value column maps to revenue."""
    folder_in, config = demo
    frame = read_demo(folder_in, "transactions")
    price = pd.to_numeric(frame["Cena jedn. brutto"].str.replace(",", "."), errors="coerce")
    qty = pd.to_numeric(frame["Ilość"], errors="coerce")
    terse = pd.DataFrame(
        {
            "invoice": frame["Nr zamówienia"],
            "customerId": frame["ID klienta"],
            "date": frame["Data zamówienia"],
            "sku": frame["Kod produktu"],
            "product_category": frame["Kategoria"],
            "amount": (price * qty).round(2),
            "sales_channel": frame["Kanał sprzedaży"],
        }
    )
    folder = tmp_path / "shop"
    folder.mkdir()
    terse.to_csv(folder / "orders.csv", index=False)
    out = tmp_path / "client.yml"
    assert run_init(folder, out) == 0
    draft = load_config(out)
    assert draft.sources.transactions.columns == {
        "customer_id": "customerId",
        "order_id": "invoice",
        "order_ts": "date",
        "revenue": "amount",
        "channel": "sales_channel",
        "category": "product_category",
        "product_id": "sku",
    }
    assert draft.sources.transactions.csv.decimal == "."
    assert draft.locale == "en"
    assert main(["validate", str(out)]) == 0


def test_a_workbook_with_two_sheets_gives_each_its_sheet(demo, tmp_path):
    """Transactions and customers on two sheets of one workbook: two sources with the same
    path and their sheet names (the loader needs `sheet:` when there are several)."""
    folder_in, config = demo
    folder = tmp_path / "excel"
    folder.mkdir()
    with pd.ExcelWriter(folder / "eksport.xlsx") as writer:
        for table, sheet in (("transactions", "Zamówienia"), ("customers", "Klienci")):
            typed(read_demo(folder_in, table), config, table).to_excel(
                writer, sheet_name=sheet, index=False
            )
    out = tmp_path / "client.yml"
    assert run_init(folder, out) == 0
    draft = load_config(out)
    assert draft.sources.transactions.sheet == "Zamówienia"
    assert draft.sources.customers.sheet == "Klienci"
    assert draft.sources.transactions.columns == config.sources.transactions.columns
    assert draft.sources.customers.columns == config.sources.customers.columns
    assert main(["validate", str(out)]) == 0


# -- ambiguity ----------------------------------------------------------------------------------
def ambiguous_folder(demo, tmp_path):
    """Transactions with two date and two amount columns whose names tell nothing apart."""
    folder_in, _ = demo
    frame = read_demo(folder_in, "transactions")
    when = pd.to_datetime(frame["Data zamówienia"], format="%d.%m.%Y %H:%M", errors="coerce")
    price = pd.to_numeric(frame["Cena jedn. brutto"].str.replace(",", "."), errors="coerce")
    value = price * pd.to_numeric(frame["Ilość"], errors="coerce")
    data = pd.DataFrame(
        {
            "Nr zamówienia": frame["Nr zamówienia"],
            "ID klienta": frame["ID klienta"],
            "Data 1": when.dt.strftime("%d.%m.%Y"),
            "Data 2": (when + pd.Timedelta(days=3)).dt.strftime("%d.%m.%Y"),
            "Kwota A": value.round(2).map(lambda x: f"{x:.2f}".replace(".", ",")),
            "Kwota B": (value * 0.23).round(2).map(lambda x: f"{x:.2f}".replace(".", ",")),
        }
    ).dropna()
    folder = tmp_path / "ambiguous"
    folder.mkdir()
    data.to_csv(folder / "sprzedaz.csv", sep=";", index=False, encoding="cp1250")
    return folder


def test_two_date_and_two_amount_columns_are_left_as_choices(demo, tmp_path, capsys):
    """Neither 'Data 1' nor 'Data 2', neither 'Kwota A' nor 'Kwota B' is picked: each pair is
    a commented CHOOSE with both candidates; validate then stops naming the missing column, and
    uncommenting one line of each pair makes the draft valid."""
    folder = ambiguous_folder(demo, tmp_path)
    out = tmp_path / "client.yml"
    assert run_init(folder, out) == 0
    printed = capsys.readouterr().out
    assert "validate stops until you decide: transactions.order_ts; transactions.revenue" in (
        printed
    )
    draft = load_config(out)
    columns = draft.sources.transactions.columns
    assert columns == {"customer_id": "ID klienta", "order_id": "Nr zamówienia"}
    text = out.read_text(encoding="utf-8")
    for line in ('# order_ts: "Data 1"', '# order_ts: "Data 2"', '# revenue: "Kwota A"',
                 '# revenue: "Kwota B"', "CHOOSE order_ts", "CHOOSE revenue"):  # fmt: skip
        assert line in text
    assert main(["validate", str(out)]) == 2
    assert "order_ts" in capsys.readouterr().err
    chosen = text.replace('# order_ts: "Data 1"', 'order_ts: "Data 1"').replace(
        '# revenue: "Kwota A"', 'revenue: "Kwota A"'
    )
    out.write_text(chosen, encoding="utf-8")
    assert load_config(out).sources.transactions.columns["revenue"] == "Kwota A"
    assert main(["validate", str(out)]) == 0


def test_ambiguous_day_month_order_is_stated(demo, tmp_path):
    """Dates such as 03/04/2025 where no day is above 12 cannot tell day/month from
    month/day: the draft writes the Polish order, marked CHECK and AMBIGUOUS, and the other
    reading as a commented line."""
    folder = tmp_path / "slash"
    folder.mkdir()
    days = [dt.date(2025, m, d) for m in range(1, 13) for d in range(1, 13)]
    frame = pd.DataFrame(
        {
            "Nr zamówienia": [f"Z{i}" for i in range(len(days))],
            "ID klienta": [str(100 + i % 20) for i in range(len(days))],
            "Data zamówienia": [d.strftime("%d/%m/%Y") for d in days],
            "Wartość": ["12,50"] * len(days),
        }
    )
    frame.to_csv(folder / "zamowienia.csv", sep=";", index=False)
    out = tmp_path / "client.yml"
    assert run_init(folder, out) == 0
    text = unwrapped(out)
    assert load_config(out).sources.transactions.csv.date_format == "%d/%m/%Y"
    assert "AMBIGUOUS" in text and "CHECK" in text
    assert '      # date_format: "%m/%d/%Y"' in out.read_text(encoding="utf-8")


# -- files that cannot be used ------------------------------------------------------------------
def test_unmappable_and_unreadable_files_get_clear_messages(demo, tmp_path, capsys):
    """Beside a usable transactions file: a stock list that is no table, a headerless copy, a
    damaged workbook and an empty file. The draft is written (exit 0); each unusable file is
    named with why, the unreadable ones also as warnings on stderr."""
    folder_in, config = demo
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(folder_in / "transactions.csv", folder / "transactions.csv")
    (folder / "magazyn.csv").write_text("SKU;Stan;Magazyn\nKUC-021;12;Poznań\nTEK-017;0;Łódź\n")
    lines = (folder_in / "transactions.csv").read_bytes().split(b"\r\n", 1)[1]
    (folder / "bez_naglowka.csv").write_bytes(lines)
    (folder / "zepsuty.xlsx").write_bytes(b"this is not a workbook")
    (folder / "pusty.csv").write_bytes(b"")
    out = tmp_path / "client.yml"
    assert run_init(folder, out) == 0
    captured = capsys.readouterr()
    assert "warning: In file" in captured.err
    assert "zepsuty.xlsx" in captured.err and "pusty.csv" in captured.err
    text = unwrapped(out)
    assert "magazyn.csv: matches no table" in text
    assert "bez_naglowka.csv: it has no header line" in text
    assert "WARNING: In file" in text and "zepsuty.xlsx" in text
    draft = load_config(out)
    assert draft.sources.transactions.columns == config.sources.transactions.columns
    assert draft.sources.present().keys() == {"transactions"}


def test_nothing_usable_is_exit_2_with_what_was_found(tmp_path, capsys):
    """A folder without anything like transactions: exit 2, a paragraph naming the folder,
    what each file looks like and what to do; no draft is written."""
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "magazyn.csv").write_text("SKU;Stan;Magazyn\nKUC-021;12;Poznań\nTEK-017;0;Łódź\n")
    (folder / "zepsuty.parquet").write_bytes(b"PAR1 not really")
    out = tmp_path / "client.yml"
    assert run_init(folder, out) == 2
    err = capsys.readouterr().err
    assert str(folder) in err and "no file looks like transactions" in err
    assert "magazyn.csv" in err and "zepsuty.parquet" in err and "Fix:" in err
    assert "Traceback" not in err
    assert not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_init(empty, out) == 2
    assert "holds no CSV, XLSX or Parquet file" in capsys.readouterr().err


# -- where the draft goes -----------------------------------------------------------------------
def test_never_writes_into_the_exports_or_over_a_draft(demo, tmp_path, capsys, monkeypatch):
    """The default output (./client.yml) is refused inside the folder of exports; an existing
    draft is kept without --force; --out must be a .yml file; '-' prints the draft. The
    exports are byte-identical afterwards."""
    folder_in, _ = demo
    folder = tmp_path / "raw" / "klient"
    shutil.copytree(folder_in, folder)
    (folder / "client.yml").unlink()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    monkeypatch.chdir(folder)
    assert main(["init", "."]) == 2
    assert "inside the folder of exports" in capsys.readouterr().err
    assert not (folder / "client.yml").exists()
    monkeypatch.chdir(tmp_path)
    assert main(["init", str(folder)]) == 0  # ./client.yml, outside the exports
    capsys.readouterr()
    drafted = tmp_path / "client.yml"
    first = drafted.read_text(encoding="utf-8")
    drafted.write_text(first + "# edited by the consultant\n", encoding="utf-8")
    assert main(["init", str(folder)]) == 2
    assert "--force" in capsys.readouterr().err
    assert drafted.read_text(encoding="utf-8").endswith("# edited by the consultant\n")
    assert main(["init", str(folder), "--force"]) == 0
    assert drafted.read_text(encoding="utf-8") == first
    assert main(["init", str(folder), "--out", str(folder / "transactions.csv"), "--force"]) == 2
    assert ".yml" in capsys.readouterr().err
    assert main(["init", str(folder), "--out", "-"]) == 0
    printed = capsys.readouterr()
    assert yaml.safe_load(printed.out)["sources"]["transactions"]["path"] == (
        "raw/klient/transactions.csv"
    )
    assert "transactions" in printed.err  # the summary goes to stderr when the YAML is printed
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    inside = folder / "client.yml"  # written there only when --out says so explicitly
    assert main(["init", str(folder), "--out", str(inside)]) == 0
    assert load_config(inside).sources.transactions.path.as_posix() == "transactions.csv"


def test_sessions_with_own_step_names_get_funnel_steps_in_funnel_order(tmp_path):
    """Step names other than the defaults are listed in funnel.steps, ordered by the number
    of rows (each step of a funnel has fewer sessions than the one before), and the cart step
    is the one named like a cart."""
    folder = tmp_path / "shop"
    folder.mkdir()
    steps = {"wejście": 400, "karta produktu": 200, "koszyk": 80, "zamówienie": 20}
    rows, n = [], 0
    for step, count in steps.items():
        for i in range(count):
            rows.append((f"S{i:04d}", f"2025-03-{1 + i % 28:02d} 10:{i % 60:02d}", step))
            n += 1
    pd.DataFrame(rows, columns=["Session ID", "Timestamp", "Etap"]).sample(
        frac=1.0, random_state=1
    ).to_csv(folder / "sesje.csv", index=False)
    orders = pd.DataFrame(
        {
            "Order ID": [f"O{i}" for i in range(60)],
            "Customer ID": [f"C{i % 15}" for i in range(60)],
            "Order Date": [f"2025-03-{1 + i % 28:02d}" for i in range(60)],
            "Total": [f"{10 + i}.50" for i in range(60)],
        }
    )
    orders.to_csv(folder / "orders.csv", index=False)
    out = tmp_path / "client.yml"
    assert run_init(folder, out) == 0
    draft = load_config(out)
    assert draft.funnel.steps == list(steps)
    assert draft.funnel.cart_step == "koszyk"
    assert draft.sources.sessions.columns == {"session_id": "Session ID", "ts": "Timestamp",
                                              "step": "Etap"}  # fmt: skip
    assert main(["validate", str(out)]) == 0
    assert quality(out)["sessions"].rows_excluded == {}
