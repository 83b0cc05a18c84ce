"""The zoo's invariant checks can fail: each is shown a report that breaks it (and one that
keeps it), so a green zoo means the reports hold, not that the checks are blind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from zoo import ZooRun, boxes, report_problems, sentences

GOOD_HTML = """<html><body><h1>Krok I — Kalkulacja</h1>
<p class="finding">Klient jest wart <b>312 zł</b> (95 % PU 288–339 zł).</p>
<div class="boxes"><div class="box"><div class="box-label">Odsetek powracających</div><div
class="box-value">40%</div><div class="box-sub">klienci z ≥ 2 zakupami</div></div></div>
<table><tr><td>—</td></tr></table></body></html>""".replace("\n<div", "<div").replace(
    "<div\nclass", "<div class"
)
GOOD_METRICS = {
    "calculation": {
        "repeat_rate": 0.4,
        "top20_share": 0.5,
        "aov": 100.0,
        "simple_clv": 6000.0,
        "simple": {"cap_binds": False, "retention_cap_years": 10.0},
        "simple_to_predictive_ratio": 1.5,
        "orders": 1000,
        "gross_margin": 0.3,
        "window_years": 2.0,
        "model": {"at_bounds": [], "dropout_at_bounds": []},
    },
    "retention": {"repeat_rate": 0.4},
    "saturation": {"top20_share": 0.5},
    "channels": [{"channel": "Facebook", "spend": 10_000.0, "ltv_cac": 0.5, "cac_above_clv": True}],
    "recommendations": [{"id": "x", "title": "Do it", "evidence": "e", "estimated_impact": 100.0}],
    "data_quality": {"tables": {"transactions": {"rows_read": 10, "rows_used": 9,
                                                  "rows_excluded": {"duplicate": 1}}}},
    "sentences_said": ["calc.question"],
}  # fmt: skip


def run_of(tmp_path: Path, metrics: dict, markup: str = GOOD_HTML, code: int = 0) -> ZooRun:
    run_dir = tmp_path / "run"
    run_dir.mkdir(exist_ok=True)
    (run_dir / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    (run_dir / "audit.html").write_text(markup, encoding="utf-8")
    config = tmp_path / "client.yml"
    config.write_text(yaml.safe_dump({"locale": "pl", "currency": "PLN"}), encoding="utf-8")
    return ZooRun("t", config, code, f"{run_dir}\n", "", False, 0.0)


def changed(path: str, value) -> dict:
    metrics = json.loads(json.dumps(GOOD_METRICS))
    *parents, last = path.split(".")
    node = metrics
    for part in parents:
        node = node[part]
    node[last] = value
    return metrics


def said_with(differs: bool, key: str) -> dict:
    """GOOD_METRICS with a rep comparison decided ``differs`` and the sentence ``key`` said."""
    metrics = changed("retention_detail", {"sales_rep_comparison": {
        "differs": differs, "p_value": 0.2, "difference_keys": ["ret.reps.finding"],
        "no_difference_keys": ["ret.reps.no_difference"]}})  # fmt: skip
    metrics["sentences_said"] = [*metrics["sentences_said"], key]
    return metrics


def gap_in_figures() -> dict:
    """Simple CLV 6,000 against a predictive maximum CAC of 1,000 (6×) with no gap sentence,
    while the recorded ratio (1.5) says there is nothing to explain."""
    metrics = changed("calculation.max_cac", 1000.0)
    metrics["calculation"]["max_cac_basis"] = "predictive"
    return metrics


def coached(*, differs: bool, high_rep: str = "Anna") -> dict:
    """Coaching Anna recommended, with a rep comparison that ``differs`` and names ``high_rep``."""
    metrics = changed("retention_detail", {"sales_rep_comparison": {
        "differs": differs, "high_rep": high_rep, "difference_keys": [],
        "no_difference_keys": []}})  # fmt: skip
    metrics["recommendations"] = [{"id": "coach_sales_rep:Anna", "title": "t", "evidence": "e"}]
    return metrics


def test_a_report_that_keeps_every_invariant_passes(tmp_path):
    assert report_problems(run_of(tmp_path, GOOD_METRICS)) == []
    for differs, key in ((False, "ret.reps.no_difference"), (True, "ret.reps.finding")):
        assert report_problems(run_of(tmp_path, said_with(differs, key))) == []
    assert report_problems(run_of(tmp_path, coached(differs=True))) == []
    explained = gap_in_figures()
    explained["sentences_said"] += ["calc.clv.gap_high"]
    assert report_problems(run_of(tmp_path, explained)) == []
    fatigued = changed("recommendations", [{"id": "cap_messages", "title": "t", "evidence": "e"}])
    fatigued["funnel"] = {"fatigue_ctr_comparison": {"differs": True, "difference_keys": [],
                                                     "no_difference_keys": []}}  # fmt: skip
    assert report_problems(run_of(tmp_path, fatigued)) == []
    assert "Krok I — Kalkulacja" in sentences(GOOD_HTML)  # a dash as punctuation is fine
    assert boxes(GOOD_HTML) == [("Odsetek powracających", "40%", "klienci z ≥ 2 zakupami")]


def test_each_broken_invariant_is_found(tmp_path):
    cases = {
        "placeholder": (GOOD_METRICS, GOOD_HTML.replace("<b>312 zł</b>", "<b>—</b>")),
        "nan": (GOOD_METRICS, GOOD_HTML.replace("288–339 zł", "nan–nan zł")),
        "collapsed window": (GOOD_METRICS, GOOD_HTML.replace(
            "Klient jest wart", "Oferta między 7. a 7. dniem; klient jest wart")),
        "collapsed interval": (GOOD_METRICS, GOOD_HTML.replace("288–339 zł", "1%–1%")),
        "collapsed title": (changed("recommendations", [{"id": "f", "title": "Send it between "
                                    "day 7 and day 7", "evidence": "e"}]), GOOD_HTML),
        "hole": (changed("sentences_left_out", [{"key": "k", "values": ["v"]}]), GOOD_HTML),
        "box": (GOOD_METRICS, GOOD_HTML.replace(">40%<", ">41%<")),
        "box in another form": (GOOD_METRICS, GOOD_HTML.replace(">40%<", ">40.0%<")),
        "two repeat rates": (changed("retention.repeat_rate", 0.43), GOOD_HTML),
        "flag": (changed("channels", [{"channel": "F", "ltv_cac": 2.0, "cac_above_clv": True}]),
                 GOOD_HTML),
        "impact": (changed("recommendations", [{"id": "x", "title": "t", "evidence": "e",
                                                "estimated_impact": 1e9}]), GOOD_HTML),
        "bound": (changed("calculation.model", {"at_bounds": ["a"], "dropout_at_bounds": ["a"]}),
                  GOOD_HTML),
        "miss": (changed("calculation.holdout", {"miss": True}), GOOD_HTML),
        "rows": (changed("data_quality.tables.transactions.rows_used", 8), GOOD_HTML),
        "scenarios": (changed("calculation.clv", {"mean": 1.0}), GOOD_HTML),
        "cap unsaid": (changed("calculation.simple", {"cap_binds": True}),
                       GOOD_HTML),
        "gap unexplained": (changed("calculation.simple_to_predictive_ratio", 7.9), GOOD_HTML),
        "gap below unexplained": (changed("calculation.simple_to_predictive_ratio", 0.3),
                                  GOOD_HTML),
        "infinite simple CLV": (changed("calculation.retention_years", float("inf")), GOOD_HTML),
        "period above the cap": (changed("calculation.retention_years", 53.5), GOOD_HTML),
        "gap in the figures, flag says none": (gap_in_figures(), GOOD_HTML),
        "collapsed named range": (GOOD_METRICS, GOOD_HTML.replace("Klient jest wart",
            "Pułap wynosi od 268 zł (Bing Ads) do 268 zł (Empfehlung); klient jest wart")),
        "decision against its p-value": (changed("retention_detail", {"sales_rep_comparison": {
            "differs": True, "p_value": 0.2, "threshold": 0.05 / 3, "comparisons": 3,
            "alpha": 0.05, "difference_keys": [], "no_difference_keys": []}}), GOOD_HTML),
        "coaching without a difference": (coached(differs=False), GOOD_HTML),
        "coaching another rep": (coached(differs=True, high_rep="Jan"), GOOD_HTML),
        "cap without fatigue": (changed("recommendations", [{"id": "cap_messages", "title": "t",
                                        "evidence": "e"}]), GOOD_HTML),
        "difference from noise": (said_with(False, "ret.reps.finding"), GOOD_HTML),
        "no difference from a difference": (said_with(True, "ret.reps.no_difference"), GOOD_HTML),
    }  # fmt: skip
    for name, (metrics, markup) in cases.items():
        assert report_problems(run_of(tmp_path, metrics, markup)), name


@pytest.mark.parametrize(("locale", "broken"), [
    ("pl", lambda v, kind, **_: f"{100 * v:.0f}%"),  # right here: the control
    ("pl", lambda v, kind, **_: f"{v:.2f}%"),  # a fraction printed as a percentage
    ("de_DE", lambda v, kind, **_: f"{100 * v:,.1f}\u00a0%"),  # English decimal mark in German
])  # fmt: skip
def test_a_box_is_read_back_independently_of_the_formatter(tmp_path, monkeypatch, locale, broken):
    """The box check reads the figure back with the locale's separators (Babel's parser), so a
    wrong formatter is caught even though the box equals its output."""
    import zoo

    monkeypatch.setattr(zoo, "fmt", broken)
    shown = broken(0.4, "pct0")
    label = "Repeat rate" if locale != "pl" else "Odsetek powracających"
    markup = GOOD_HTML.replace(">40%<", f">{shown}<").replace("Odsetek powracających", label)
    run = run_of(tmp_path, GOOD_METRICS, markup)
    run.config.write_text(yaml.safe_dump({"locale": locale, "currency": "EUR"}), encoding="utf-8")
    problems = [p for p in report_problems(run) if p.startswith("box")]
    assert bool(problems) == (shown != "40%"), problems


def test_an_internal_error_and_an_unclear_refusal_are_found(tmp_path):
    bug = ZooRun("t", tmp_path / "c.yml", 1, "", "internal error: KeyError", False, 0.0)
    assert report_problems(bug)
    refusal = ZooRun("t", tmp_path / "c.yml", 2, "", "Traceback (most recent call last)", False, 0)
    assert report_problems(refusal)
    clear = ZooRun("t", tmp_path / "c.yml", 2, "", "error: In file x: bad. Fix: do y.", False, 0)
    assert report_problems(clear) == []


def test_a_strong_season_unsaid_and_a_holdout_cutting_it_unsaid_are_found(tmp_path):
    strong = {"strong": True, "strong_in_one_year": False}
    cut = {"weeks": 26, "covers_full_season": False, "actual_total": 900.0, "miss": False}
    unsaid = changed("calculation.seasonality", strong)
    assert report_problems(run_of(tmp_path, unsaid))
    said = json.loads(json.dumps(unsaid))
    said["sentences_said"] += ["calc.predictive.season_strong"]
    assert report_problems(run_of(tmp_path, said)) == []
    said["calculation"]["holdout"] = cut
    assert report_problems(run_of(tmp_path, said))
    said["sentences_said"] += ["calc.predictive.season_part_config"]
    assert report_problems(run_of(tmp_path, said)) == []


def test_a_covariate_model_used_against_its_test_or_unsaid_is_found(tmp_path):
    record = {"model": "BG/NBD", "columns": ["channel"], "used": True, "p_value": 0.001,
              "lr_statistic": 20.0, "df": 4, "reason": None}  # fmt: skip
    metrics = changed("calculation.clv", {"covariate_model": record})

    def covariate_problems():
        return [p for p in report_problems(run_of(tmp_path, metrics)) if "covariate" in p]

    assert covariate_problems()  # used, but nothing said
    metrics["sentences_said"] += ["calc.clv.covariates_used"]
    assert covariate_problems() == []
    metrics["calculation"]["clv"]["covariate_model"]["p_value"] = 0.3  # used without support
    assert covariate_problems()
    metrics["calculation"]["clv"]["covariate_model"]["used"] = False
    metrics["sentences_said"] = ["calc.question", "calc.clv.covariates_not_used"]
    assert covariate_problems() == []
