"""demo → run → PDF: the whole pipeline on a small synthetic client (papermill + WeasyPrint).

Checks the contracts other code relies on (DESIGN §5): the run directory is the last line
printed, metrics.json has the contract keys and reconciles every table, and the PDF's text has
the cover and the section headings in report order.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from clvlib.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(demo_reference):
    """The suite's small demo client (tests/conftest.py): its root folder and client.yml."""
    return demo_reference["root"], demo_reference["config"]


def cli(*args: str) -> tuple[int, list[str]]:
    """Run ``clv-audit`` in-process; return its exit code and stdout lines."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(list(args))
    return code, buffer.getvalue().strip().splitlines()


@pytest.fixture(scope="module")
def run_dir(demo_reference):
    """The whole audit of the demo client, with the PDF (run once for the suite, conftest.py)."""
    root, code, out = demo_reference["root"], demo_reference["code"], demo_reference["stdout"]
    assert code == 0, out
    path = Path(out[-1])
    assert path.is_dir() and path.parent.parent == root / "reports"
    return path


def test_run_writes_report_files_and_removes_working_copy(run_dir):
    for name in ("audit.pdf", "audit.html", "metrics.json"):
        assert (run_dir / name).is_file(), name
    assert sorted(p.name for p in (run_dir / "notebooks").iterdir()) == [
        "00_data_quality.ipynb",
        "01_calculation.ipynb",
        "02_funnel.ipynb",
        "03_channels.ipynb",
        "04_retention.ipynb",
        "05_saturation.ipynb",
        "06_summary.ipynb",
    ]
    assert list((run_dir / "figures").glob("*.svg"))
    assert not (run_dir / "_work").exists()  # the cached copy of client data is gone


def test_metrics_json_has_contract_keys_and_reconciles(run_dir):
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert {"run", "data_quality", "calculation"} <= set(metrics)
    assert metrics["run"]["config_hash"]
    for table, q in metrics["data_quality"]["tables"].items():
        assert q["rows_read"] == q["rows_used"] + sum(q["rows_excluded"].values()), table
    calc = metrics["calculation"]
    for key in (
        "customers",
        "orders",
        "aov",
        "purchase_frequency_per_year",
        "retention_years",
        "simple_clv",
        "max_cac",
        "model",
        "spend_model",
        "clv",
        "holdout",
    ):
        assert key in calc, key
    assert calc["customers"] > 0 and calc["aov"] > 0
    assert (
        set(calc["model"]["params"]) == {"r", "alpha", "a", "b"}
        or calc["model"]["name"] != "BG/NBD"
    )
    assert calc["spend_model"]["name"] == "Gamma-Gamma"
    assert set(calc["spend_model"]["params"]) == {"p", "q", "v"}
    clv = calc["clv"]
    assert {"horizon_months", "total", "mean", "median", "ci_low", "ci_high"} <= set(clv)
    assert clv["ci_low"] < clv["mean"] < clv["ci_high"]
    assert clv["total"] == pytest.approx(clv["mean"] * calc["customers"], rel=1e-9)
    assert calc["max_cac"] == clv["new_customer"]["value"]  # the ceiling is the predictive one
    for rate in ("repeat_rate", "top20_share"):
        assert 0 <= calc[rate] <= 1  # rates are fractions, not percentages


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_has_cover_and_sections_in_order(run_dir):
    text = subprocess.run(
        ["pdftotext", str(run_dir / "audit.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    headings = [
        "Audyt wartości klienta (CLV)",
        "Podsumowanie dla zarządu",
        "Spis treści",
        "Krok I —",
        "Krok II —",
        "Krok III —",
        "Krok IV —",
        "Krok V —",
        "Załącznik A — Dane",
        "Załącznik B — Metody",
    ]
    positions = [text.find(h) for h in headings]
    assert all(p >= 0 for p in positions), dict(zip(headings, positions, strict=True))
    assert positions == sorted(positions)
    assert re.search(r"\d[\u00a0 ]\d{3},\d{2}\s?zł|\d+\s?zł", text)  # Polish money format


def test_steps_two_and_three_fill_their_metrics(run_dir):
    """DESIGN §5 contract keys of the funnel and channels sections; organic channels have
    ltv_cac null (no division by zero spend)."""
    metrics = json.loads((run_dir / "metrics.json").read_text())
    funnel = metrics["funnel"]
    assert [s["step"] for s in funnel["steps"]][0] == "visit"
    assert {"count", "value"} <= set(funnel["abandoned_carts"])
    assert {"channel", "sent", "opened", "clicked", "open_rate", "ctr", "unsubscribed"} <= set(
        funnel["campaigns"][0]
    )
    assert {"messages_per_week", "customers", "ctr", "unsubscribe_rate"} <= set(
        funnel["fatigue"][0]
    )
    channels = {row["channel"]: row for row in metrics["channels"]}
    keys = {"channel", "new_customers", "spend", "cac", "clv_mean", "ltv_cac", "payback_months"}
    assert all(keys | {"cac_above_clv"} <= set(row) for row in channels.values())
    assert channels["Polecenia"]["ltv_cac"] is None and channels["Polecenia"]["spend"] == 0


def test_steps_four_five_and_the_summary_fill_their_metrics(run_dir):
    """DESIGN §5: retention, saturation and recommendations keys; the rates are fractions."""
    metrics = json.loads((run_dir / "metrics.json").read_text())
    retention = metrics["retention"]
    assert 0 < retention["repeat_rate"] < 1
    assert {"metric", "members", "non_members", "lift", "ci_low", "ci_high"} <= set(
        retention["loyalty"]
    )
    assert {"sales_rep", "customers", "repeat_rate", "clv_mean"} <= set(
        retention["by_sales_rep"][0]
    )
    saturation = metrics["saturation"]
    assert 0 < saturation["gini"] < 1 and 0 < saturation["top20_share"] < 1
    shares = [s["revenue_share"] for s in saturation["segments"]]
    assert sum(shares) == pytest.approx(1.0)
    for rec in metrics["recommendations"]:
        assert {"id", "title", "evidence", "estimated_impact", "priority"} <= set(rec)
    assert {s["lever"] for s in metrics["scenarios"]} >= {"retention", "aov", "frequency"}


def test_widget_cells_show_their_default_state_only_in_the_notebooks(run_dir):
    """A report run renders each step's controls at their defaults, statically, in the executed
    notebook (step I's total is the recorded total CLV); none of it reaches audit.html."""
    import nbformat

    from clvlib.i18n import fmt

    metrics = json.loads((run_dir / "metrics.json").read_text())
    outputs = {}
    for path in sorted((run_dir / "notebooks").glob("0[1-6]_*.ipynb")):
        cell = next(
            c for c in nbformat.read(path, as_version=4).cells if c.get("id") == "cell-widgets"
        )
        outputs[path.stem] = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
        assert "clv-widget-static" in outputs[path.stem], path.name
        assert "application/vnd.jupyter.widget-view+json" not in str(cell.outputs), path.name
    total = fmt(metrics["calculation"]["clv"]["total"], "money", locale="pl", currency="PLN")
    assert f'<b class="clv-total">{total}</b>' in outputs["01_calculation"]
    report = (run_dir / "audit.html").read_text()
    assert "clv-widget-static" not in report and "clv-total" not in report


def test_missing_optional_tables_are_named_and_the_run_succeeds(demo_run, tmp_path):
    """Without sessions, messages, marketing_spend and customers, steps II and III still run
    and say which data would unlock them (in audit.html; the zoo renders PDFs of such clients)."""
    import yaml

    root, config = demo_run
    raw = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    for table in ("sessions", "messages", "marketing_spend", "customers"):
        raw["sources"].pop(table)
        path = Path(config).parent / f"{table}.csv"
        assert path.is_file()
    for name in ("transactions.csv",):
        shutil.copy(Path(config).parent / name, tmp_path / name)
    (tmp_path / "client.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    code, out = cli(
        "run", str(tmp_path / "client.yml"), "--out", str(tmp_path / "r"), "--no-pdf", "--quiet"
    )
    assert code == 0, out
    html = (Path(out[-1]) / "audit.html").read_text(encoding="utf-8")
    for sentence in (
        "Nie przekazano eksportu sesji",
        "Nie przekazano eksportu komunikatów",
        "Nie przekazano eksportu klientów z kanałem pozyskania",
    ):
        assert sentence in html, sentence
    metrics = json.loads((Path(out[-1]) / "metrics.json").read_text())
    assert metrics["funnel"]["steps"] is None and metrics["channels"] == []


def test_the_whole_report_in_english(demo_run, tmp_path, suite_run_cache):
    """locale: en gives every section in English with English number formats (the locale is
    not part of the load: the run reuses run_dir's load and fits from the suite's run cache)."""
    import yaml

    root, config = demo_run
    raw = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    raw["locale"] = "en"
    english = Path(config).parent / "client_en.yml"
    english.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    code, out = cli("run", str(english), "--out", str(tmp_path / "r"), "--no-pdf", "--quiet")
    assert code == 0, out
    html = (Path(out[-1]) / "audit.html").read_text(encoding="utf-8")
    headings = ["Executive summary", "Step I —", "Step II —", "Step III —", "Step IV —",
                "Step V —", "Appendix A — Data", "Appendix B — Methods"]  # fmt: skip
    positions = [html.find(h) for h in headings]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    assert re.search(r"PLN\u00a0\d{1,3}(,\d{3})*", html)  # PLN 1,234
    for polish in ("Podsumowanie", "Krok ", "klientów", " zł"):
        assert polish not in html, polish


def test_each_run_gets_a_new_directory(demo_run, run_dir, suite_run_cache):
    """A second run of run_dir's config writes a new directory beside it (step I only, reusing
    run_dir's load and fits: the directory does not depend on the steps; test_run_safety checks
    two whole runs' directories and files)."""
    root, config = demo_run
    code, out = cli(
        "run", str(config), "--out", str(root / "reports"), "--steps", "1", "--no-pdf", "--quiet"
    )
    assert code == 0
    second = Path(out[-1])
    assert second != run_dir and (run_dir / "audit.pdf").is_file()
    assert not (second / "audit.pdf").exists()


def test_validate_prints_the_quality_table(demo_run):
    _, config = demo_run
    code, out = cli("validate", str(config))
    assert code == 0
    assert any(line.startswith("transactions") for line in out)
    assert "rows read" in "\n".join(out)


def test_config_error_exits_2_with_one_paragraph(tmp_path, capsys):
    bad = tmp_path / "client.yml"
    bad.write_text("client: X\nsources: {transactions: {path: missing.csv}}\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "missing.csv" in err and "Fix:" in err and "Traceback" not in err


def test_relative_out_directory_works_from_any_working_directory(
    demo_run, tmp_path, monkeypatch, suite_run_cache
):
    # Regression: a relative --out made the kernelspec path relative to the notebooks folder.
    _, config = demo_run
    monkeypatch.chdir(tmp_path)
    code, out = cli("run", str(config), "--out", "reports", "--steps", "1", "--no-pdf", "--quiet")
    assert code == 0, out
    run = Path(out[-1])
    assert run.is_absolute() and run.is_relative_to(tmp_path / "reports")
    assert (run / "metrics.json").is_file()


def test_unknown_step_is_a_usage_error(demo_run, capsys):
    _, config = demo_run
    assert main(["run", str(config), "--steps", "9"]) == 2
    assert "not available" in capsys.readouterr().err


def test_tables_xlsx_has_every_table_of_the_report_in_its_order(run_dir):
    """tables.xlsx (clvlib.report.workbook): the headline figures first, then one sheet per
    table of audit.html in the report's order (compared by their headers), numbers stored as
    numbers; the figures equal metrics.json (to the 16 significant digits openpyxl writes)."""
    import html as html_module
    import math

    import openpyxl

    from clvlib.i18n import t

    document = (run_dir / "audit.html").read_text(encoding="utf-8")
    heads = re.findall(r'<table class="clv-table"[^>]*>.*?<thead><tr>(.*?)</tr>', document, re.S)
    html_headers = [
        [html_module.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", row)] for row in heads
    ]
    wb = openpyxl.load_workbook(run_dir / "tables.xlsx")
    assert len(heads) >= 15 and len(wb.sheetnames) == len(heads) + 1
    sources = [_header_sources(html, [c.value for c in ws[1]], "pl")
               for html, ws in zip(html_headers, wb.worksheets[1:], strict=True)]  # fmt: skip
    collapsed = [[h for i, h in enumerate(row) if i == 0 or row[i - 1] != h] for row in sources]
    assert collapsed == html_headers  # each column as the report shows it, or its numbers
    numbers = sum(c.data_type == "n" and c.value is not None for ws in wb for r in ws for c in r)
    assert numbers >= 200, numbers
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    clv = metrics["calculation"]["clv"]
    figures = [[c.value for c in row] for row in wb.worksheets[0].iter_rows(min_row=2)]
    assert figures[0][0] == t("sum.box.clv", "pl")
    expected = [clv["mean"], clv["ci_low"], clv["ci_high"]]
    pairs = list(zip(figures[0][1:4], expected, strict=True))
    assert all(math.isclose(a, b, rel_tol=1e-15) for a, b in pairs), pairs

    def flat(value):
        if isinstance(value, dict):
            return [x for v in value.values() for x in flat(v)]
        if isinstance(value, list):
            return [x for v in value for x in flat(v)]
        return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []

    recorded = flat(metrics)
    for row in figures:
        for value in row[1:4]:
            if value is not None:
                assert any(math.isclose(value, r, rel_tol=1e-15) for r in recorded), row


def _header_sources(html_headers, sheet_headers, locale):
    """The report's header each sheet column comes from: the same header, or — for a column
    whose numbers replaced the text (``display.Numbers``) — its value ("CLV"), the interval's
    ends ("CLV: 95 % PU od", "… do") or its note ("…: uwaga"); None when none fits."""
    from clvlib.i18n import t

    derived = {}
    for h in html_headers:
        mark = t("xlsx.ci_mark", locale)
        base = h[: -len(mark)].rstrip() if h.endswith(mark) else h
        names = [base] + [t(f"xlsx.{p}", locale, column=base) for p in ("low", "high", "note")]
        derived.update({name: h for name in names if name not in html_headers})
        derived[h] = h
    return [derived.get(h) for h in sheet_headers]


def test_tables_xlsx_holds_numbers_where_the_report_shows_numbers(run_dir):
    """Every column the report right-aligns as a number (``th class="num"``) is numbers or
    empty cells in tables.xlsx — its text ("160 zł (146–172)", "organic", "–") replaced by the
    numbers behind it — and no text cell of the workbook reads as a number in the report's
    locale (babel's parse_decimal), but for the excluded rows' examples, which show the
    client's cells verbatim ("589,x", "51,99"). The channel table's CLV equals metrics.json's
    and its interval's ends are those the report prints."""
    import html as html_module
    import math

    import openpyxl
    from babel.numbers import NumberFormatError, parse_decimal

    from clvlib.i18n import fmt, t

    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    locale, currency = metrics["run"]["locale"], metrics["run"]["currency"]
    document = (run_dir / "audit.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table class="clv-table"[^>]*>(.*?)</table>', document, re.S)

    def cells(markup, tag):
        found = re.findall(rf'<{tag} class="(\w+)">(.*?)</{tag}>', markup, re.S)
        return [(css, html_module.unescape(text)) for css, text in found]

    wb = openpyxl.load_workbook(run_dir / "tables.xlsx")
    checked = 0
    for markup, ws in zip(tables, wb.worksheets[1:], strict=True):
        head = cells(re.search(r"<thead>(.*?)</thead>", markup, re.S)[1], "th")
        numeric = {h for css, h in head if css == "num"}
        headers = [c.value for c in ws[1]]
        sources = _header_sources([h for _, h in head], headers, locale)
        note = t("xlsx.note", locale, column="")
        for col, (header, source) in enumerate(zip(headers, sources, strict=True)):
            if source not in numeric or header.endswith(note):
                continue
            values = [row[col].value for row in ws.iter_rows(min_row=2)]
            text = [v for v in values if isinstance(v, str)]
            assert not text, (ws.title, header, text[:3])
            checked += 1
    assert checked >= 60, checked

    examples = t("dq.examples", locale)
    parsed = []
    for ws in wb.worksheets[1:]:
        if examples in (ws["A1"].comment.text if ws["A1"].comment else ""):
            continue  # the client's cells as read, valid or not
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    try:
                        parse_decimal(cell.value.strip(), locale=locale)
                    except (NumberFormatError, ValueError):
                        continue
                    parsed.append((ws.title, cell.coordinate, cell.value))
    assert parsed == []

    clv_header = t("col.clv", locale)
    (markup, ws), *_ = [
        (m, w)
        for m, w in zip(tables, wb.worksheets[1:], strict=True)
        if clv_header in [h for _, h in cells(m, "th")] and t("col.cac", locale) in m
    ]
    headers = [c.value for c in ws[1]]
    base = clv_header.rsplit("(", 1)[0].strip()
    at = headers.index(base)
    assert headers[at + 1 : at + 3] == [
        t("xlsx.low", locale, column=base),
        t("xlsx.high", locale, column=base),
    ]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    recorded = {r["channel"]: r for r in metrics["channels"]}
    assert [r[0] for r in rows] == [r["channel"] for r in metrics["channels"]]
    shown = [cells(tr, "td") for tr in re.findall(r"<tr>(.*?)</tr>", markup, re.S)[1:]]
    clv_column = [h for _, h in cells(markup, "th")].index(clv_header)
    for row, html_row in zip(rows, shown, strict=True):
        value, low, high = row[at : at + 3]
        assert math.isclose(value, recorded[row[0]]["clv_mean"], rel_tol=1e-9), row
        assert low <= value <= high, row
        text = html_row[clv_column][1]
        money = fmt(value, "money", locale=locale, currency=currency)
        ends = fmt(low, "int", locale=locale), fmt(high, "int", locale=locale)
        assert text.startswith(money) and all(e in text for e in ends), (text, row)
        assert ws.cell(row=2, column=at + 1).data_type == "n"
        cac = row[headers.index(t("col.cac", locale))]
        if recorded[row[0]]["spend"]:
            assert math.isclose(cac, recorded[row[0]]["cac"], rel_tol=1e-9), row
        else:
            assert cac is None, row  # "organic" in the report: an empty cell here
