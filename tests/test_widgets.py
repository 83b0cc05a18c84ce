"""The notebooks' controls (``clvlib.widgets``): wiring, debounce, default state, report runs.

References: the report's own figures for the default state (``predictive_clv``'s intervals
table and ``retention_summary``, which the notebooks print); closed-form properties of the CLV
formula for changed settings (CLV is linear in the margin; with a 0 % discount rate the total
over H months is margin × spend × E[purchases in H months] per customer, summed); the AOV lever
moves the CLV by exactly its size. The browser test (``test_browser.py``) drives the same
panels in the Voilà app.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
import types
import warnings

import ipywidgets as W
import nbformat
import numpy as np
import pytest

from clvlib import calculation, predictive, retention, scenarios, widgets
from clvlib.data.quality import LARGE_RUN_ROWS
from clvlib.models.clv import NEW_CUSTOMER
from clvlib.report.render import notebook_blocks


# -- debounce ---------------------------------------------------------------------------------
class ManualClock:
    """A ``call_later`` that runs nothing until ``run()``: the scheduled calls, cancellable."""

    def __init__(self):
        self.scheduled = []

    def __call__(self, delay, callback):
        handle = types.SimpleNamespace(delay=delay, callback=callback, cancelled=False)
        handle.cancel = lambda: setattr(handle, "cancelled", True)
        self.scheduled.append(handle)
        return handle

    def run(self):
        for handle in [h for h in self.scheduled if not h.cancelled]:
            handle.callback()


def test_debounce_coalesces_a_burst_into_one_call():
    calls, clock = [], ManualClock()
    debounce = widgets.Debouncer(lambda: calls.append(1), 0.3, call_later=clock)
    for _ in range(5):
        debounce.trigger()
    assert [h.cancelled for h in clock.scheduled] == [True, True, True, True, False]
    assert calls == [] and debounce.pending
    clock.run()
    assert calls == [1] and not debounce.pending


def test_debounce_on_a_real_timer_calls_once_after_the_burst():
    calls = []
    done = threading.Event()
    debounce = widgets.Debouncer(lambda: (calls.append(time.monotonic()), done.set()), 0.05)
    start = time.monotonic()
    for _ in range(10):
        debounce.trigger()
    assert done.wait(5.0)
    time.sleep(0.2)  # a second call, if any, would have come by now
    assert len(calls) == 1 and calls[0] - start >= 0.05


def test_zero_delay_recomputes_on_every_trigger():
    calls = []
    debounce = widgets.Debouncer(lambda: calls.append(1), 0)
    debounce.trigger()
    debounce.trigger()
    assert calls == [1, 1]


# -- the panel ---------------------------------------------------------------------------------
def fake_audit(run_dir=None, rows_used=1_000):
    quality = {"transactions": types.SimpleNamespace(rows_used=rows_used)}
    return types.SimpleNamespace(locale="en", run_dir=run_dir, quality=quality)


def spy_panel(*, delay=0.0, clock=None, run_dir=None, rows_used=1_000):
    calls = []

    def view(horizon_months, margin):
        calls.append({"horizon_months": horizon_months, "margin": margin})
        return {"headline": f"<p>{horizon_months} months at {margin:.2f}</p>"}

    controls = {
        "horizon_months": W.IntSlider(value=36, min=1, max=120, description="Horizon"),
        "margin": W.FloatSlider(value=0.35, min=0, max=1, step=0.01, readout_format=".0%"),
    }
    panel = widgets.Panel(fake_audit(run_dir, rows_used), controls, view, delay=delay)
    if clock is not None:
        panel.debounce = widgets.Debouncer(panel.refresh, delay, call_later=clock)
    return panel, calls


def test_changing_a_control_recomputes_with_all_current_settings():
    panel, calls = spy_panel()
    assert calls == [{"horizon_months": 36, "margin": 0.35}]  # the default state
    panel.controls["horizon_months"].value = 12
    assert calls[-1] == {"horizon_months": 12, "margin": 0.35}
    panel.controls["margin"].value = 0.5
    assert calls[-1] == {"horizon_months": 12, "margin": 0.5}
    assert panel.outputs["headline"].value == "<p>12 months at 0.50</p>"
    assert panel.recomputes == 2 and panel.busy.value == ""


def test_rapid_changes_recompute_once_with_the_last_values():
    clock = ManualClock()
    panel, calls = spy_panel(delay=0.3, clock=clock)
    for months in (20, 24, 30, 12):
        panel.controls["horizon_months"].value = months
    panel.controls["margin"].value = 0.4
    assert len(calls) == 1  # only the default state so far
    clock.run()
    assert calls[1:] == [{"horizon_months": 12, "margin": 0.4}]


def test_a_failing_recompute_is_shown_and_the_panel_lives_on():
    panel, calls = spy_panel()
    panel.view = lambda **_: 1 / 0
    panel.controls["horizon_months"].value = 6
    assert "ZeroDivisionError" in panel.busy.value
    assert panel.outputs["headline"].value == "<p>36 months at 0.35</p>"  # the last good state


def test_a_report_run_renders_the_default_state_statically(tmp_path):
    panel, calls = spy_panel(run_dir=tmp_path)
    bundle = panel._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}  # no widget view: nothing interactive
    assert "36 months at 0.35" in bundle["text/html"] and "35%" in bundle["text/html"]
    assert "clv-block" not in bundle["text/html"]
    # The report keeps only the audit's display blocks: the panel never reaches audit.html.
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("widgets.calculation_controls(...)")
    cell.outputs = [nbformat.v4.new_output("execute_result", data=bundle, execution_count=1)]
    nb.cells = [cell]
    path = tmp_path / "01.ipynb"
    nbformat.write(nb, path)
    assert notebook_blocks(path) == []
    panel.controls["horizon_months"].value = 12  # not wired in a report run
    assert len(calls) == 1


def test_a_large_report_run_shows_the_settings_without_recomputing_them(tmp_path):
    """Above LARGE_RUN_ROWS a report run skips the outputs nobody sees in the report
    (they equal the step's own figures); interactively the panel computes them as always."""
    big = LARGE_RUN_ROWS + 1
    panel, calls = spy_panel(run_dir=tmp_path, rows_used=big)
    html_out = panel._repr_mimebundle_()["text/html"]
    assert calls == [] and "36 months at 0.35" not in html_out
    assert "Horizon: 36" in html_out and "the figures above" in html_out
    interactive, calls = spy_panel(rows_used=big)
    assert len(calls) == 1 and interactive.outputs["headline"].value == "<p>36 months at 0.35</p>"


# -- step panels on a small demo client --------------------------------------------------------
@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    import clvlib
    from clvlib.data.demo import write_demo

    config = write_demo(tmp_path_factory.mktemp("widgets") / "demo", customers=1500, seed=7,
                        progress=False)  # fmt: skip
    return clvlib.open_audit(config)


@pytest.fixture(scope="module")
def step_one(audit):
    margin = float(
        calculation.simple_clv_table(audit).set_index("quantity")["value"]["gross_margin"]
    )
    segment = calculation.default_segment(audit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = predictive.predictive_clv(
            audit, "BG/NBD", margin=margin, segment=segment, n_boot=5
        )
    return result, margin, segment


def headline_total(panel) -> str:
    return re.search(r'class="clv-total">([^<]+)<', panel.outputs["headline"].value).group(1)


def test_calculation_default_state_shows_the_reports_figures(audit, step_one):
    result, margin, segment = step_one
    panel = widgets.calculation_controls(audit, result, margin=margin, segment=segment, delay=0)
    report = result["intervals"].set_index("segment")  # what the notebook prints and records
    assert panel.settings()["horizon_months"] == audit.config.economics.horizon_months
    assert headline_total(panel) == audit.fmt(report.loc["all", "total"])
    assert audit.fmt(report.loc["all", "mean"]) in panel.outputs["headline"].value
    assert audit.fmt(report.loc[NEW_CUSTOMER, "mean"]) in panel.outputs["headline"].value
    for name, row in report.drop(index=["all", NEW_CUSTOMER]).iterrows():
        assert f'<td class="txt">{name}</td>' in panel.outputs["table"].value
        assert audit.fmt(row["total"]) in panel.outputs["table"].value


def test_new_settings_reuse_the_fitted_models(audit, step_one, monkeypatch):
    result, margin, segment = step_one
    panel = widgets.calculation_controls(audit, result, margin=margin, segment=segment, delay=0)
    model, spend, rfm = result["model"], result["spend_model"], result["rfm"]

    def no_refit(*_args, **_kwargs):
        raise AssertionError("a control change must not refit a model")

    for cls in (type(model), type(spend)):
        monkeypatch.setattr(cls, "fit", no_refit)
    # 0 % discount: the total is Σ margin × spend × E[purchases within H months] (closed form)
    panel.controls["annual_discount_rate"].value = 0.0
    panel.controls["horizon_months"].value = 12
    weeks = 12 * 30.4375 / 7
    expected = float(
        np.sum(margin * spend.expected_spend(rfm) * model.expected_purchases(weeks, rfm))
    )
    assert headline_total(panel) == audit.fmt(expected)
    # CLV is linear in the margin
    panel.controls["margin"].value = round(2 * margin, 2)
    assert headline_total(panel) == audit.fmt(expected * round(2 * margin, 2) / margin)


def test_without_fitted_models_the_step_one_panel_says_so(audit):
    """``predictive_clv`` returns ``{"rfm", "gap"}`` when too few customers bought again: the
    panel has no controls and one sentence instead of a KeyError."""
    panel = widgets.calculation_controls(audit, {"rfm": None, "gap": {"repeaters": 3}}, margin=0.3)
    assert panel.controls == {}
    assert audit.text("widget.no_model") in panel.outputs["note"].value


def test_segment_filter_shows_the_segments_total(audit, step_one):
    result, margin, segment = step_one
    panel = widgets.calculation_controls(audit, result, margin=margin, segment=segment, delay=0)
    report = result["intervals"].set_index("segment")
    name = panel.controls["segment"].options[1][1]
    panel.controls["segment"].value = name
    assert headline_total(panel) == audit.fmt(report.loc[name, "total"])


def test_churn_threshold_recomputes_the_survival_curve(audit):
    panel = widgets.retention_controls(audit, delay=0)
    default = retention.retention_summary(audit)  # the report's churn sentence
    assert f"{audit.fmt(default['churn_rate'], 'pct0')}" in panel.outputs["churn"].value
    panel.controls["churn_after_days"].value = 120
    shorter = retention.retention_summary(audit.with_settings(retention={"churn_after_days": 120}))
    assert audit.config.retention.churn_after_days == 365  # the audit itself is untouched
    # S(t) never rises: a shorter threshold counts more customers as lost
    assert shorter["churn_rate"] > default["churn_rate"]
    assert audit.fmt(shorter["churn_rate"], "pct0") in panel.outputs["churn"].value
    assert "120" in panel.outputs["churn"].value


def test_scenario_levers_on_the_simple_clv_when_step_one_did_not_run(audit):
    panel = widgets.scenario_controls(audit, delay=0)
    basis = scenarios.simple_basis(calculation.simple_clv_table(audit))
    default = scenarios.scenario_table(basis, {"retention": 0.05, "aov": 0.05, "frequency": 0.05})
    for value in default["clv_after"]:
        assert audit.fmt(value) in panel.outputs["scenarios"].value
    panel.controls["aov"].value = 0.2  # the AOV lever scales the CLV by exactly its size
    assert audit.fmt(basis["simple_clv"] * 1.2) in panel.outputs["scenarios"].value


@pytest.mark.parametrize("build", ["funnel", "saturation"])
def test_other_step_panels_build_and_recompute(audit, build):
    panel = getattr(widgets, f"{build}_controls")(audit, delay=0)
    before = {k: o.value for k, o in panel.outputs.items()}
    name, control = next((n, c) for n, c in panel.controls.items() if isinstance(c, W.FloatSlider))
    control.value = control.max
    assert panel.recomputes == 1 and panel.busy.value == ""
    assert {k: o.value for k, o in panel.outputs.items()} != before, name


def test_with_settings_copies_without_writing(audit, tmp_path):
    in_run = dataclasses.replace(audit, run_dir=tmp_path)
    what_if = in_run.with_settings(economics={"horizon_months": 12})
    assert what_if.run_dir is None and what_if.metrics == {}
    assert what_if.config.economics.horizon_months == 12
    assert what_if.config.economics.gross_margin == audit.config.economics.gross_margin
    assert in_run.config.economics.horizon_months == audit.config.economics.horizon_months


# -- the default state from the report's own tables ----------------------------------------------
def spy_on(monkeypatch, module, name):
    """Count the calls of ``module.name`` (still calling it)."""
    calls = []
    original = getattr(module, name)

    def spy(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def test_the_reports_rep_table_is_the_default_state_without_a_second_query(audit, monkeypatch):
    """Reference: the panel that computes its own default state. Handed the report's
    ``sales_rep_table`` it shows the same sentence and rep table without calling it again; at
    another threshold it recomputes."""
    computed = widgets.retention_controls(audit, delay=0)
    reps = retention.sales_rep_table(audit)
    calls = spy_on(monkeypatch, retention, "sales_rep_table")
    handed = widgets.retention_controls(audit, reps=reps, delay=0)
    assert calls == []
    for name in ("churn", "reps"):
        assert handed.outputs[name].value == computed.outputs[name].value, name
    handed.controls["churn_after_days"].value = 120
    assert calls == ["sales_rep_table"]


def same_outputs(panel, other) -> None:
    """The panels show the same markup (figures drawn with a fixed ``svg.hashsalt``)."""
    assert panel.outputs.keys() == other.outputs.keys()
    for name, output in panel.outputs.items():
        assert output.value == other.outputs[name].value, name


@pytest.fixture
def fixed_svg_ids():
    import matplotlib as mpl

    with mpl.rc_context({"svg.hashsalt": "widgets"}):
        yield


def test_the_reports_survival_and_summary_are_the_churn_panels_default(
    audit, monkeypatch, fixed_svg_ids
):
    """Reference: the panel that queries its own default state. Handed the report's survival
    table and summary (``show_churn``'s) it shows the same sentence and curve without running
    ``survival_table`` or ``retention_summary``; at another threshold it runs them."""
    computed = widgets.retention_controls(audit, delay=0)
    km = retention.survival_table(audit)
    summary = retention.retention_summary(audit, km=km)
    survivals = spy_on(monkeypatch, retention, "survival_table")
    summaries = spy_on(monkeypatch, retention, "retention_summary")
    handed = widgets.retention_controls(audit, survival=km, summary=summary, delay=0)
    assert survivals == summaries == []
    same_outputs(handed, computed)
    handed.controls["churn_after_days"].value = 120
    assert (survivals, summaries) == (["survival_table"], ["retention_summary"])


def test_the_reports_order_values_are_the_free_delivery_panels_default(
    audit, monkeypatch, fixed_svg_ids
):
    """Handed the report's order-value summary, distribution and free-delivery row (at a
    configured threshold) the panel queries none of them and shows what it computes alone."""
    from clvlib import saturation

    configured = audit.with_settings(saturation={"free_delivery_threshold": 120.0})
    computed = widgets.saturation_controls(configured, delay=0)
    values = saturation.order_value_summary(configured)
    distribution = saturation.order_value_table(configured)
    free = saturation.free_delivery_table(configured)
    calls = {
        name: spy_on(monkeypatch, saturation, name)
        for name in ("order_value_summary", "order_value_table", "free_delivery_table")
    }
    handed = widgets.saturation_controls(
        configured, values=values, distribution=distribution, free=free, delay=0
    )
    assert not any(calls.values())
    same_outputs(handed, computed)
    handed.controls["threshold"].value = 150.0
    assert [n for n, c in calls.items() for _ in c] == ["free_delivery_table"]


def test_the_reports_funnel_and_message_load_are_the_funnel_panels_default(
    audit, monkeypatch, fixed_svg_ids
):
    """Handed the report's funnel tables and message load the funnel panel runs neither
    ``funnel_table`` nor ``message_load_summary`` for its default state (the abandoned carts
    are computed on the handed funnel) and shows what it computes alone."""
    from clvlib import funnel

    computed = widgets.funnel_controls(audit, delay=0)
    steps = funnel.funnel_table(audit)
    by_source = funnel.funnel_table(audit, by="source")
    load = funnel.message_load_summary(audit)
    tables = spy_on(monkeypatch, funnel, "funnel_table")
    loads = spy_on(monkeypatch, funnel, "message_load_summary")
    handed = widgets.funnel_controls(
        audit, steps=steps, by_source=by_source, message_load=load, delay=0
    )
    assert tables == loads == []
    same_outputs(handed, computed)
    handed.controls["contact_cap_per_week"].value = 7.0
    assert (tables, loads) == ([], ["message_load_summary"])


def test_the_channel_panel_draws_the_reports_payback_curves(audit, monkeypatch):
    from clvlib import channels

    table = channels.channel_table(audit, n_boot=50)
    response = channels.spend_response_table(audit)
    payback = channels.payback_table(audit)
    calls = spy_on(monkeypatch, channels, "payback_table")
    panel = widgets.channel_controls(audit, table, response, payback=payback, delay=0)
    assert calls == [] and "image/svg+xml" in panel.outputs["payback"].value
    bare = widgets.channel_controls(audit, table, response, delay=0)  # computes its own
    assert calls == ["payback_table"]
    assert bare.outputs["reallocation"].value == panel.outputs["reallocation"].value


def test_a_large_report_run_builds_its_panels_without_querying(audit, tmp_path, monkeypatch):
    """A large report run shows the settings only (``skips_outputs``): the funnel and
    saturation panels then run none of their step's queries."""
    from clvlib import funnel, saturation

    big = {"transactions": types.SimpleNamespace(rows_used=LARGE_RUN_ROWS + 1)}
    large = dataclasses.replace(audit, run_dir=tmp_path, quality=big)
    calls = []
    for module, name in ((funnel, "funnel_table"), (saturation, "order_value_table")):
        monkeypatch.setattr(module, name, lambda *a, _n=name, **k: calls.append(_n))
    for build in ("funnel", "saturation"):
        html_out = getattr(widgets, f"{build}_controls")(large)._repr_mimebundle_()["text/html"]
        assert "clv-widget-static" in html_out and "<svg" not in html_out
    assert calls == []
