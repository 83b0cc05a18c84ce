"""Report assembly: only report blocks reach the PDF, sections land in report order, the
contents list every heading, and the PDF is A4 with Polish diacritics intact."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from clvlib.report import display
from clvlib.report.render import Cover, assemble_html, write_pdf

COVER = Cover(
    client="Sklep Żółw",
    locale="pl",
    currency="PLN",
    window_start=dt.date(2023, 1, 1),
    window_end=dt.date(2025, 12, 31),
    prepared_by="Zespół analiz",
    created=dt.date(2026, 11, 23),
)


def executed(tmp_path, name, blocks, stray=("<p>stray output</p>",)):
    nb = new_notebook()
    cell = new_code_cell("...")
    cell.outputs = [new_output("display_data", data={"text/html": b}) for b in [*stray, *blocks]]
    cell.outputs.append(new_output("stream", name="stdout", text="print noise"))
    nb.cells = [cell]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_sections_follow_report_order_and_stray_output_is_dropped(tmp_path):
    step = executed(
        tmp_path,
        "01.ipynb",
        [
            display.heading("pl", "Krok I — Kalkulacja", section="calculation"),
            display.say("pl", "CLV wynosi 312 zł."),
        ],
    )
    appendix = executed(
        tmp_path, "00.ipynb", [display.heading("pl", "Załącznik A — Dane", section="appendix_data")]
    )
    summary = executed(
        tmp_path,
        "06.ipynb",
        [
            display.heading("pl", "Podsumowanie", section="summary"),
            display.heading("pl", "Załącznik B — Metody", section="appendix_methods"),
        ],
    )
    document = assemble_html([appendix, step, summary], COVER)
    order = [
        document.index(marker)
        for marker in (
            "Podsumowanie",
            "Spis treści",
            "Krok I — Kalkulacja",
            "Załącznik A — Dane",
            "Załącznik B — Metody",
        )
    ]
    assert order == sorted(order)
    assert "stray output" not in document and "print noise" not in document
    assert "Sklep Żółw" in document and "01.01.2023 – 31.12.2025" in document


def test_contents_link_to_unique_heading_ids(tmp_path):
    nb = executed(
        tmp_path,
        "01.ipynb",
        [
            display.heading("en", "Step I", section="calculation"),
            display.heading("en", "Same title", level=2),
            display.heading("en", "Same title", level=2),
        ],
    )
    document = assemble_html([nb], COVER)
    ids = [part.split('"')[0] for part in document.split('<h2 id="')[1:]]
    assert len(ids) == len(set(ids)) == 2
    for anchor in ids:
        assert f'href="#{anchor}"' in document


def test_tables_pseudonymise_customer_ids_by_default():
    import pandas as pd

    frame = pd.DataFrame({"customer_id": ["C-17", "C-18"], "revenue": [1234.5, 10.0]})
    markup = display.table_html(frame, locale="pl", currency="PLN", formats={"revenue": "money"})
    assert "C-17" not in markup and "K-" in markup
    assert "1\u00a0234\u00a0zł" in markup
    plain = display.table_html(frame, locale="en", currency="PLN", pseudonymize_ids=False)
    assert "C-17" in plain


def test_pseudonyms_are_stable_per_key_and_differ_between_keys():
    a = display.pseudonymize(["1", "2"], key=b"k1")
    assert a == display.pseudonymize(["1", "2"], key=b"k1")
    assert a != display.pseudonymize(["1", "2"], key=b"k2")
    assert a[0] != a[1]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_keeps_polish_diacritics_and_page_numbers(tmp_path):
    nb = executed(
        tmp_path,
        "01.ipynb",
        [
            display.heading("pl", "Krok I — Kalkulacja", section="calculation"),
            display.say("pl", "Zażółć gęślą jaźń: 1 234,56 zł."),
        ],
    )
    pdf = tmp_path / "audit.pdf"
    write_pdf(assemble_html([nb], COVER), pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Zażółć gęślą jaźń" in text
    assert "Audyt wartości klienta (CLV)" in text
    assert re.search(r"\b2\s*/\s*3\b", text)  # cover, contents, section: "n / N"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89" in info  # A4 in points


def _figure_block(figures_dir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.bar(["Kraków", "Łódź"], [3, 5])
    ax.set_ylabel("Zażółć gęślą")
    return display.figure_html(fig, title="Wykres", name="bars", figures_dir=figures_dir)


def test_a_run_keeps_a_print_copy_of_each_figure_with_the_same_canvas(tmp_path):
    """The report embeds the figure with outlined text; the run's print copy has the same
    canvas (width, height, viewBox) and its labels as text; ``print_figures`` swaps exactly the
    figures that have a copy."""
    import base64

    from clvlib.report.render import print_figures

    block = _figure_block(tmp_path / "figures")
    embedded = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", block).group(1))
    assert (tmp_path / "figures" / "bars.svg").read_bytes() == embedded
    copies = list((tmp_path / display.PRINT_DIR).glob("*.svg"))
    assert [c.stem for c in copies] == [display.print_key(embedded)]
    printed = copies[0].read_text()
    canvas = r'<svg [^>]*(width="[^"]+" height="[^"]+" viewBox="[^"]+")'
    assert re.search(canvas, printed).group(1) == re.search(canvas, embedded.decode()).group(1)
    assert ">Zażółć gęślą</text>" in printed and "<text" not in embedded.decode()
    swapped = print_figures(block, tmp_path / display.PRINT_DIR)
    assert base64.b64encode(copies[0].read_bytes()).decode() in swapped
    other = _figure_block(None)  # outside a run: no copy, left as it is
    assert print_figures(other, tmp_path / display.PRINT_DIR) == other
    assert print_figures(block, tmp_path / "nowhere") == block


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_draws_a_runs_figures_from_their_print_copies(tmp_path):
    """Reference: the PDF's text (pdftotext). Drawn from the print copy, the figure's axis
    label is text in the PDF; from the embedded outlines alone (no copy) it is not."""
    block = _figure_block(tmp_path / "figures")
    heading = display.heading("pl", "Krok I", section="calculation")
    nb = executed(tmp_path, "01.ipynb", [heading, display.emit(block)])
    document = assemble_html([nb], COVER)
    texts = {}
    for where in ("with", "without"):
        if where == "without":
            shutil.rmtree(tmp_path / display.PRINT_DIR)
        write_pdf(document, tmp_path / f"{where}.pdf")
        pdf = str(tmp_path / f"{where}.pdf")
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True)
        texts[where] = text.stdout
    assert "Zażółć gęślą" in texts["with"] and "Kraków" in texts["with"]
    assert "Wykres" in texts["without"] and "Zażółć gęślą" not in texts["without"]


def test_the_print_copy_is_cropped_as_a_tight_save_without_measuring_again():
    """Reference: matplotlib's own tight crop. The box measured by the report's save, reused
    for the print copy, gives the same file as a tight save of the print copy (same ids); the
    tight box is not measured a second time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.bar(["Kraków", "Łódź"], [3, 5])
    ax.set_ylabel("Zażółć gęślą")
    with matplotlib.rc_context({"svg.hashsalt": "fixed"}):
        _, crop = display._svg(fig)
        assert crop is not None
        measured = []
        original = type(fig).get_tightbbox
        fig.get_tightbbox = lambda *a, **k: measured.append(1) or original(fig, *a, **k)
        reused, _ = display._svg(fig, fonttype="none", crop=crop)
        assert measured == []
        del fig.get_tightbbox
        tight, _ = display._svg(fig, fonttype="none")
    plt.close(fig)
    assert reused == tight


def _drawn(svg: bytes, tmp_path, name: str) -> bytes:
    """The pixels WeasyPrint draws for an SVG on its own page (pdftoppm, 100 dpi, PPM)."""
    import base64

    from weasyprint import HTML

    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    pdf = tmp_path / f"{name}.pdf"
    HTML(string=f'<img style="width: 160mm" src="{uri}"/>').write_pdf(pdf)
    subprocess.run(["pdftoppm", "-r", "100", str(pdf), str(tmp_path / name)], check=True)
    (page,) = tmp_path.glob(f"{name}-*.ppm")
    return page.read_bytes()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_the_simplified_print_copy_draws_the_same_pixels(tmp_path):
    """Reference: WeasyPrint's own drawing of matplotlib's SVG, rasterised by poppler. The
    print copy without naming groups and with styles as attributes draws the same pixels,
    also where an element's own style overrides matplotlib's ``*{…}`` rule (the round caps of
    the thick line, against the rule's butt caps) and for markers drawn through ``<use>``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.plot([0, 1, 2], [1, 3, 2], lw=9, solid_capstyle="round", color="#d97706")
    ax.plot([0, 1, 2], [2, 1, 3], lw=9, color="#1e3a5f")  # the rule's butt caps
    ax.scatter([0.5, 1.5], [2.5, 1.5], s=80, marker="s", alpha=0.6)
    ax.bar([0.2, 1.8], [1, 2], width=0.3, hatch="//", edgecolor="k")
    ax.set_title("Zażółć gęślą")
    ax.set_xlabel("miesiąc")
    with matplotlib.rc_context({"svg.hashsalt": "fixed"}):
        original, _ = display._svg(fig, fonttype="none")
    plt.close(fig)
    simple = display.print_svg(original)
    text = simple.decode("utf-8")
    assert 'style="' not in text and "<metadata" not in text and 'id="xtick_1"' not in text
    assert ">Zażółć gęślą</text>" in text and "<use " in text
    assert len(simple) < len(original)
    assert _drawn(simple, tmp_path, "simple") == _drawn(original, tmp_path, "original")


def test_a_print_copy_with_another_stylesheet_keeps_its_styles():
    """Only matplotlib's one ``*{…}`` rule becomes attributes; with any other rule the styles
    stay (turned into attributes they would lose to the rules)."""
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<defs><style>path {fill: red}</style></defs>"
        b'<g id="patch_1"><path d="M 0 0 L 5 5" style="stroke: blue"/></g></svg>'
    )
    simple = display.print_svg(svg).decode()
    assert 'style="stroke: blue"' in simple and "path {fill: red}" in simple
    assert "patch_1" not in simple  # the naming group goes all the same
