"""Full audits on data too thin for the statistics: every step runs, and where a model or a
figure cannot be estimated the report says so in a note and metrics.json holds ``null`` with the
reason — never a crash and never a silent nonsense number.

The inputs are a small synthetic client (``clvlib.data.demo``, 300 customers) cut down in one way
each. The fallbacks asserted here are the documented ones (README "Bad input and what it gives",
``clvlib.predictive``): no purchase model below ``MIN_MODEL_REPEATERS`` repeat buyers (the simple
CLV is then the acquisition-cost ceiling and step III values customers at their margin so far), a
fixed spend per purchase when the Gamma-Gamma model has nothing to fit, no spend-response fit for
a channel whose spend never varied. The expectations are about the data, not about the code's
output: e.g. with no repeat buyer there is no repeat purchase to forecast from.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from robustness_cases import cli

from clvlib import predictive

pytestmark = pytest.mark.slow

SEP, ENCODING = ";", "cp1250"  # the demo's dialect


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from clvlib.data.demo import write_demo

    root = tmp_path_factory.mktemp("degenerate")
    write_demo(root / "base", customers=300, seed=5, progress=False)
    return root


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, sep=SEP, encoding=ENCODING, dtype=str, keep_default_na=False)


def write(frame: pd.DataFrame, folder: Path, name: str) -> None:
    frame.to_csv(folder / name, sep=SEP, encoding=ENCODING, index=False, lineterminator="\r\n")


def variant(root: Path, name: str, change) -> Path:
    """A copy of the base client with ``change(folder)`` applied; returns its client.yml."""
    folder = root / name
    shutil.copytree(root / "base", folder)
    change(folder)
    return folder / "client.yml"


def audit(config: Path, out: Path, *args: str) -> tuple[Path, dict, str]:
    """Run the audit; return the run directory, its metrics.json and the report's visible text."""
    code, stdout, stderr = cli("run", config, "--out", out, "--quiet", *args)
    assert code == 0, stderr
    run_dir = Path(stdout.strip().splitlines()[-1])
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    for table, q in metrics["data_quality"]["tables"].items():
        assert q["rows_read"] == q["rows_used"] + sum(q["rows_excluded"].values()), table
    html = (run_dir / "audit.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|img)[^>]*>.*?(</style>)?", " ", html))
    return run_dir, metrics, text


def assert_no_silent_nonsense(text: str) -> None:
    """No NaN, inf or None printed as a number, and no interval that collapses to a point
    around zero ('0,00 zł–0,00 zł'), anywhere in the report."""
    assert not re.search(r"\b(nan|NaN|inf|None)\b", text), re.findall(
        r".{40}\b(?:nan|inf)\b.{20}", text
    )
    assert "0,00 zł–0,00 zł" not in text


def one_customer(folder: Path) -> None:
    t = read(folder, "transactions.csv")
    busiest = t.loc[t["ID klienta"] != "", "ID klienta"].value_counts().index[0]
    write(t[t["ID klienta"] == busiest], folder, "transactions.csv")


def one_time_buyers(folder: Path, keep: int = 0) -> None:
    """Only each customer's first order, except all orders of ``keep`` customers."""
    t = read(folder, "transactions.csv")
    first = t.groupby("ID klienta")["Nr zamówienia"].transform("first")
    kept = sorted(set(t["ID klienta"]) - {""})[:keep]
    write(t[(t["Nr zamówienia"] == first) | t["ID klienta"].isin(kept)], folder, "transactions.csv")


def equal_orders(folder: Path) -> None:
    """Every order one line of 100,00 zł, no returns, at most one order a day per customer (a
    day's orders count as one purchase): spend per purchase has no variance."""
    t = read(folder, "transactions.csv")
    t = t[~t["Ilość"].str.startswith("-")].drop_duplicates("Nr zamówienia")
    t = t[~t.assign(day=t["Data zamówienia"].str[:10]).duplicated(["ID klienta", "day"])]
    write(t.assign(**{"Ilość": "1", "Cena jedn. brutto": "100,00"}), folder, "transactions.csv")


def flat_spend(folder: Path) -> None:
    """The same spend in every month of every paid channel."""
    s = read(folder, "marketing_spend.csv")
    write(
        s.assign(Koszt=s["Koszt"].where(s["Koszt"] == "0,00", "1000,00")),
        folder,
        "marketing_spend.csv",
    )


def test_one_customer_only(demo, tmp_path):
    """One customer's orders (all other tables as the shop exported them), full audit with PDF:
    no purchase model (1 repeat buyer, 20 needed), so CLV, model and holdout are null with the
    reason, the acquisition-cost ceiling is the simple CLV, and the summary warns of thin data."""
    run_dir, metrics, text = audit(variant(demo, "one", one_customer), tmp_path)
    assert (run_dir / "audit.pdf").stat().st_size > 10_000
    calc = metrics["calculation"]
    assert calc["customers"] == 1
    assert calc["clv"] is None and calc["model"] is None and calc["spend_model"] is None
    assert calc["not_computed"]["clv"] == "too_few_repeaters"
    assert calc["max_cac_basis"] == "simple_clv" and calc["max_cac"] == calc["max_cac_simple"]
    assert "Predykcyjnego CLV nie liczymy" in text and "Mało danych: 1 klientów" in text
    assert_no_silent_nonsense(text)


def test_all_one_time_buyers(demo, tmp_path):
    """Nobody bought twice: the purchase models' maximum likelihood lies on the boundary (no
    repeat purchase, r → 0), so they are not fitted; Gamma-Gamma has no repeat spend. The
    simple CLV (one purchase's margin: retention 0, one year) is the ceiling; channels are
    valued at the margin so far."""
    run_dir, metrics, text = audit(variant(demo, "once", one_time_buyers), tmp_path, "--no-pdf")
    calc = metrics["calculation"]
    assert calc["repeat_rate"] == 0 and calc["retention_rate"] == 0
    assert calc["clv"] is None and calc["not_computed"]["holdout"] == "too_few_repeaters"
    assert calc["max_cac"] == pytest.approx(calc["aov"] * calc["gross_margin"])  # r = 0: 1 year
    assert {s["basis"] for s in metrics["scenarios"]} == {"simple"}
    assert "Predykcyjnego CLV nie liczymy" in text
    assert_no_silent_nonsense(text)


def test_too_few_repeat_buyers(demo, tmp_path):
    """Three repeat buyers among 300 customers: below MIN_MODEL_REPEATERS, same fallback."""
    change = lambda folder: one_time_buyers(folder, keep=3)  # noqa: E731
    _, metrics, text = audit(variant(demo, "few", change), tmp_path, "--no-pdf", "--steps", "1")
    calc = metrics["calculation"]
    assert 0 < calc["repeat_rate"] * calc["customers"] < predictive.MIN_MODEL_REPEATERS
    assert calc["clv"] is None and calc["not_computed"]["model"] == "too_few_repeaters"
    assert_no_silent_nonsense(text)


def test_spend_per_purchase_without_variance(demo, tmp_path):
    """Every purchase worth exactly 100 zł: Gamma-Gamma has nothing to fit (its likelihood grows
    without bound as p → ∞), so the CLV uses the fixed 100 zł per purchase, with a note."""
    config = variant(demo, "equal", equal_orders)
    _, metrics, text = audit(config, tmp_path, "--no-pdf", "--steps", "1")
    spend = metrics["calculation"]["spend_model"]
    assert spend == {"name": "fixed", "params": {"spend": 100.0}, "note": "constant_spend"}
    assert metrics["calculation"]["clv"]["mean"] > 0
    assert "Ponowne zakupy mają praktycznie tę samą wartość" in text
    assert_no_silent_nonsense(text)


def test_marketing_spend_without_variance(demo, tmp_path):
    """1 000 zł every month in every paid channel: how new customers respond to spend cannot be
    seen, so no response is fitted and no reallocation proposed; a note names the channels."""
    config = variant(demo, "flat", flat_spend)
    _, metrics, text = audit(config, tmp_path, "--no-pdf", "--steps", "3")
    detail = metrics["channels_detail"]
    assert detail["spend_response"] == [] and detail["reallocation"] == []
    assert "wydatki były takie same w każdym okresie" in text
    paid = [c for c in metrics["channels"] if c["spend"]]
    assert paid and all(c["cac"] > 0 for c in paid)  # CAC itself is still defined
    assert_no_silent_nonsense(text)
