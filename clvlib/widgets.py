"""Controls for the step notebooks: an analyst turns a knob and the step's figures follow.

Each ``*_controls(audit, ...)`` returns a :class:`Panel` of ipywidgets controls — CLV horizon
(months), margin, annual discount rate, churn threshold (days), channel / segment / traffic
source filters and the scenario levers — wired to the step's own ``*_table`` functions and
``plot_*`` twins. This module computes no statistic itself: a recompute calls those functions
with the control values (step I reuses the fitted BTYD models, so a new horizon, margin or
discount rate costs one CLV evaluation, not a refit) and formats what they return.

A changed control schedules a recompute ``DEBOUNCE_SECONDS`` later; further changes within that
time replace it, so dragging a slider or typing a number recomputes once. A busy line shows
while a recompute runs.

In a report run (``audit.run_dir`` set: ``clv-audit run`` through papermill) a panel renders
its default state once, as static HTML with no controls and no ``clv-block`` class: the
executed notebook shows it, ``audit.html``/``audit.pdf`` never do (the report keeps only the
audit's display blocks), and the report stays reproducible. The default state is the report's
own: a notebook hands a panel the tables its step already computed (``reps``, ``payback``,
``steps`` …), so the default state costs no second query; a large report run computes nothing
for it (``skips_outputs``).
"""

from __future__ import annotations

import asyncio
import functools
import html
import threading
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as W
import pandas as pd

from clvlib import calculation, channels, funnel, plots, retention, saturation, scenarios
from clvlib.data.quality import is_large
from clvlib.i18n import fmt, t
from clvlib.models.clv import clv_by_segment, customer_lifetime_value, new_customer_value
from clvlib.narrative.funnel import carts_findings
from clvlib.narrative.retention import churn_findings
from clvlib.report import display
from clvlib.texts import TEXTS

#: Seconds of quiet after the last change before a recompute starts.
DEBOUNCE_SECONDS = 0.3
#: Settings key of the filter value that means "no filter".
ALL = "all"

View = Callable[..., Mapping[str, str]]
#: Table and figure styling inside a panel (the report's stylesheet is not loaded there).
CSS = (
    "<style>.clv-panel .clv-table,.clv-widget-static .clv-table{border-collapse:collapse}"
    ".clv-table th,.clv-table td{padding:2px 10px}.clv-table .num{text-align:right}"
    ".clv-table thead th{border-bottom:1px solid #999}.clv-error{color:#b00020}"
    ".clv-panel figure,.clv-widget-static figure{margin:4px 0}</style>"
)


def _call_later(delay: float, callback: Callable[[], None]):
    """Run ``callback`` after ``delay`` seconds on the running event loop (the Jupyter kernel's),
    else on a timer thread; returns a handle with ``cancel()``."""
    try:
        return asyncio.get_running_loop().call_later(delay, callback)
    except RuntimeError:  # no event loop in this thread (plain Python, tests)
        timer = threading.Timer(delay, callback)
        timer.daemon = True
        timer.start()
        return timer


class Debouncer:
    """Calls ``action`` once, ``delay`` seconds after the last of a burst of ``trigger()`` calls.

    ``delay <= 0`` calls it at once on every trigger. ``call_later(delay, callback)`` schedules
    (default: the running event loop, else a timer thread) and returns a handle with
    ``cancel()``."""

    def __init__(
        self,
        action: Callable[[], None],
        delay: float = DEBOUNCE_SECONDS,
        *,
        call_later: Callable[[float, Callable[[], None]], Any] = _call_later,
    ) -> None:
        self.action, self.delay, self._call_later = action, float(delay), call_later
        self._pending: Any = None
        self._lock = threading.Lock()

    def trigger(self) -> None:
        if self.delay <= 0:
            self.action()
            return
        with self._lock:
            if self._pending is not None:
                self._pending.cancel()
            self._pending = self._call_later(self.delay, self._fire)

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def _fire(self) -> None:
        with self._lock:
            self._pending = None
        self.action()


class Panel:
    """Controls, a busy line and HTML outputs; ``view(**settings)`` returns the outputs' markup
    (name → HTML, the same names every time) for the controls' current values.

    ``static`` (a report run) renders the default state once as plain HTML and wires nothing.
    """

    def __init__(
        self,
        audit,
        controls: Mapping[str, W.ValueWidget],
        view: View,
        *,
        delay: float = DEBOUNCE_SECONDS,
    ) -> None:
        self.locale = audit.locale
        self.static = audit.run_dir is not None
        self.controls = dict(controls)
        self.view = view
        self.busy = W.HTML("")
        self.busy.add_class("clv-busy")
        self.style = W.HTML(CSS)
        self.outputs: dict[str, W.HTML] = {}
        self.recomputes = 0
        self.outputs_skipped = skips_outputs(audit)
        if not self.outputs_skipped:
            self._show(view(**self.settings()))  # default state; errors surface in the cell
        self.debounce = Debouncer(self.refresh, delay)
        row = W.HBox(list(self.controls.values()), layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox([self.style, row, self.busy, *self.outputs.values()])
        self.widget.add_class("clv-panel")
        if not self.static:
            for name, control in self.controls.items():
                control.add_class(f"clv-control-{name}")
                control.observe(lambda _change: self.debounce.trigger(), names="value")

    def settings(self) -> dict[str, Any]:
        """The controls' current values by settings name (what ``view`` is called with)."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> None:
        """Recompute the outputs for the current settings, with the busy line meanwhile."""
        self.busy.value = (
            f'<span class="clv-busy-on">⏳ {html.escape(self._text("widget.busy"))}</span>'
        )
        try:
            parts = self.view(**self.settings())
        except Exception as error:  # noqa: BLE001 — shown to the analyst, the panel lives on
            message = self._text("widget.error", error=f"{type(error).__name__}: {error}")
            self.busy.value = f'<span class="clv-error">{html.escape(message)}</span>'
            return
        self._show(parts)
        self.recomputes += 1
        self.busy.value = ""

    def _show(self, parts: Mapping[str, str]) -> None:
        for name, markup in parts.items():
            if name not in self.outputs:
                self.outputs[name] = W.HTML(markup)
                self.outputs[name].add_class(f"clv-out-{name}")
            else:
                self.outputs[name].value = markup

    def _text(self, key: str, **values: Any) -> str:
        return display.text(self.locale, key, **values)

    def static_html(self) -> str:
        """The default state as HTML for a report run's notebook (never a report block)."""
        settings = " · ".join(
            f"{html.escape(c.description)}: {html.escape(_shown_value(c, self.locale))}"
            for c in self.controls.values()
        )
        outputs = "".join(o.value for o in self.outputs.values())
        if self.outputs_skipped:
            outputs = f'<p class="muted">{html.escape(self._text("widget.static_skipped"))}</p>'
        return (
            f'{CSS}<div class="clv-widget-static"><p class="muted">'
            f"{html.escape(self._text('widget.static'))}</p><p>{settings}</p>{outputs}</div>"
        )

    def _repr_mimebundle_(self, **kwargs: Any):
        if self.static:
            return {"text/html": self.static_html(), "text/plain": self._text("widget.static")}
        return self.widget._repr_mimebundle_(**kwargs)


def skips_outputs(audit) -> bool:
    """Whether a panel of ``audit`` leaves its outputs out: a large report run (the report never
    shows them and at the default settings they are the step's own figures; data.quality)."""
    return audit.run_dir is not None and is_large(audit.quality)


def _shown_value(control: W.ValueWidget, locale: str) -> str:
    if isinstance(control, W.Dropdown):
        return str(control.label)
    if str(getattr(control, "readout_format", "")).endswith("%"):
        return fmt(control.value, "pct0", locale=locale)
    if isinstance(control, W.IntSlider):
        return fmt(control.value, "int", locale=locale)
    if isinstance(control, W.FloatSlider):
        return fmt(control.value, "num1", locale=locale)
    return str(control.value)


# -- control and output builders ------------------------------------------------------------------
_STYLE = {"description_width": "initial"}
_LAYOUT = {"width": "340px"}


def _int_slider(description: str, value: int, low: int, high: int, step: int = 1) -> W.IntSlider:
    return W.IntSlider(
        value=int(value), min=low, max=max(high, int(value)), step=step, description=description,
        continuous_update=False, style=_STYLE, layout=_LAYOUT,
    )  # fmt: skip


def _slider(
    description: str, value: float, low: float, high: float, step: float, percent: bool = True
) -> W.FloatSlider:
    return W.FloatSlider(
        value=float(value), min=low, max=max(high, float(value)), step=step,
        description=description, readout_format=".0%" if percent else ".1f",
        continuous_update=False, style=_STYLE, layout=_LAYOUT,
    )  # fmt: skip


def _dropdown(description: str, options: list[tuple[str, str]]) -> W.Dropdown:
    return W.Dropdown(
        options=options, value=options[0][1], description=description, style=_STYLE,
        layout=_LAYOUT,
    )  # fmt: skip


def _at_setting(value: Any, setting: Any, known: Any, compute: Callable[[], Any]) -> Any:
    """``known`` (the report's own result at the configured ``setting``, passed in by the
    notebook) when a control stands at that setting, else ``compute()`` for ``value``."""
    return known if known is not None and value == setting else compute()


def _para(audit, key: str, *, raw: Mapping[str, str] | None = None, **values: Any) -> str:
    """A sentence of ``clvlib.texts``: ``values`` are escaped, ``raw`` ones are markup."""
    safe = {k: html.escape(str(v)) for k, v in values.items()} | dict(raw or {})
    return f'<p class="finding">{t(key, audit.locale, **safe)}</p>'


def _figure(ax, title: str) -> str:
    return display.figure_html(ax, title=title, name="widget")


def _table(audit, frame: pd.DataFrame, **kwargs: Any) -> str:
    return display.table_html(
        frame, locale=audit.locale, currency=audit.currency,
        pseudonymize_ids=audit.config.privacy.pseudonymize_ids, **kwargs,
    )  # fmt: skip


def _choices(audit, values, *, all_key: str = "segment.all") -> list[tuple[str, str]]:
    return [(audit.text(all_key), ALL)] + [(str(v), str(v)) for v in values]


# -- step I: predictive CLV -----------------------------------------------------------------------
def calculation_controls(
    audit,
    result: Mapping[str, Any],
    *,
    margin: float,
    segment: str | None = None,
    delay: float = DEBOUNCE_SECONDS,
) -> Panel:
    """Horizon (months), margin (fraction of spend), annual discount rate and a segment filter
    over the models ``predictive.predictive_clv`` fitted (``result``): recomputes the CLV per
    customer (``customer_lifetime_value``), total and mean by segment (``clv_by_segment``),
    the value of a new customer (``new_customer_value``) and the CLV distribution. The fitted
    models are reused as they are. Defaults: ``economics`` of ``client.yml`` and ``margin`` —
    the report's settings, so the default total is the report's total. Without fitted models
    (``result["gap"]``: too few repeat buyers) the panel says so and has no controls."""
    if result.get("gap"):
        return Panel(audit, {}, lambda: {"note": _para(audit, "widget.no_model")}, delay=delay)
    rfm, model, spend = result["rfm"], result["model"], result["spend_model"]
    segments = pd.Series(result["customers"]["segment"].to_numpy(), index=rfm.index)
    economics = audit.config.economics
    controls: dict[str, W.ValueWidget] = {
        "horizon_months": _int_slider(
            audit.text("widget.horizon"), economics.horizon_months, 1, 120
        ),
        "margin": _slider(audit.text("widget.margin"), margin, 0.01, 1.0, 0.01),
        "annual_discount_rate": _slider(
            audit.text("widget.discount"), economics.annual_discount_rate, 0.0, 0.5, 0.01
        ),
    }
    if segment:
        names = segments.value_counts().index
        controls["segment"] = _dropdown(audit.text("widget.segment"), _choices(audit, names))

    def view(horizon_months: int, margin: float, annual_discount_rate: float, segment: str = ALL):
        settings = dict(
            horizon_months=horizon_months, annual_discount_rate=annual_discount_rate, margin=margin
        )
        clv = customer_lifetime_value(model, spend, rfm, **settings)
        table = clv_by_segment(clv, segments)
        new = new_customer_value(
            model, spend, first_order_value=result["first_order_value"], **settings
        )
        row = table.loc[segment]
        total = html.escape(audit.fmt(row["total"]))
        headline = _para(
            audit, "widget.calc.headline", raw={"total": f'<b class="clv-total">{total}</b>'},
            horizon=horizon_months, customers=audit.fmt(row["customers"], "int"),
            mean=audit.fmt(row["mean"]), new=audit.fmt(new),
        )  # fmt: skip
        chosen = clv if segment == ALL else clv[segments == segment]
        ax = plots.plot_clv_distribution(
            chosen.to_frame("clv"), value_col="clv", title="",
            xlabel=audit.text("calc.axis.clv", horizon=horizon_months, currency=audit.currency),
            ylabel=audit.text("calc.axis.customers"),
        )  # fmt: skip
        shown = table.rename(index={ALL: audit.text("segment.all")}).rename_axis("segment")
        return {
            "headline": headline,
            "figure": _figure(ax, audit.text("calc.clv.fig.distribution", horizon=horizon_months)),
            "table": _table(
                audit,
                shown.reset_index(),
                formats={"customers": "int", "total": "money", "mean": "money"},
                labels={"total": "widget.col.total", "mean": "widget.col.mean"},
            ),  # fmt: skip
        }

    return Panel(audit, controls, view, delay=delay)


# -- step II: funnel and communication ------------------------------------------------------------
def funnel_controls(
    audit,
    *,
    aov: float | None = None,
    steps: pd.DataFrame | None = None,
    by_source: pd.DataFrame | None = None,
    message_load: Mapping[str, Any] | None = None,
    delay: float = DEBOUNCE_SECONDS,
) -> Panel | None:
    """Traffic-source filter of the funnel (``funnel_table``), the share of abandoned carts a
    reminder wins back (``abandoned_carts_table``) and the weekly message cap
    (``message_load_summary``). ``aov``: as in the report (step I's AOV). ``steps`` and
    ``by_source``: the report's ``funnel_table`` overall and by source, and ``message_load``
    its ``message_load_summary`` at the configured cap, when the notebook has them (else
    computed here). None without sessions."""
    if audit.table("sessions") is None:
        return None
    has_source = "source" in audit.table("sessions").columns
    if skips_outputs(audit):  # nothing is drawn, and the static panel shows no source list
        steps = pd.DataFrame() if steps is None else steps
        by_source = pd.DataFrame(columns=["source"]) if by_source is None else by_source
    steps = funnel.funnel_table(audit) if steps is None else steps
    if has_source and by_source is None:
        by_source = funnel.funnel_table(audit, by="source")
    elif not has_source:
        by_source = None
    cfg = audit.config
    controls: dict[str, W.ValueWidget] = {}
    if by_source is not None:
        sources = by_source["source"].drop_duplicates().tolist()
        controls["source"] = _dropdown(
            audit.text("widget.source"), _choices(audit, sources, all_key="funnel.legend.all")
        )
    controls["recovery_rate"] = _slider(
        audit.text("widget.recovery"), cfg.funnel.cart_recovery_rate, 0.0, 0.5, 0.01
    )
    messages = audit.table("messages") is not None
    default_cap = cfg.communication.contact_cap_per_week
    if messages:
        controls["contact_cap_per_week"] = _slider(
            audit.text("widget.cap"), default_cap, 0.5, 14.0, 0.5, percent=False
        )
    pct = lambda v: audit.fmt(v, "pct0")  # noqa: E731
    labels = {s: audit.text(f"funnel.step.{s}") if f"funnel.step.{s}" in TEXTS else s
              for s in cfg.funnel.steps}  # fmt: skip

    def view(recovery_rate: float, source: str = ALL, contact_cap_per_week: float | None = None):
        by = None if source == ALL else "source"
        rows = steps if by is None else by_source[by_source["source"] == source]
        ax = plots.plot_funnel(
            rows, title="", xlabel=audit.text("funnel.axis.sessions"), step_labels=labels,
            fmt=lambda v: audit.fmt(v, "int"), pct=pct,
        )  # fmt: skip
        carts = funnel.abandoned_carts_table(
            audit, aov=aov, recovery_rate=recovery_rate, by=by,
            steps=steps if by is None else by_source,
        )  # fmt: skip
        if carts is not None and by is not None:
            carts = carts[carts["source"] == source]
        row = carts.iloc[0] if carts is not None and len(carts) else None
        # the report's sentence, or why there is none (no cart step, no carts, no AOV)
        cart = carts_findings(row, cfg.funnel, labels, audit, rate=recovery_rate)[-1]
        parts = {
            "funnel": _figure(ax, audit.text("funnel.steps.fig")),
            "carts": _para(audit, cart.key, **cart.values),
        }
        if contact_cap_per_week is not None:
            load = _at_setting(
                contact_cap_per_week, default_cap, message_load,
                lambda: funnel.message_load_summary(
                    audit, contact_cap_per_week=contact_cap_per_week
                ),
            )  # fmt: skip
            parts["messages"] = _para(
                audit, "widget.funnel.cap", above=pct(load["share_above_cap"]),
                customers=audit.fmt(load["customers"], "int"),
                cap=audit.fmt(contact_cap_per_week, "num1"),
            )  # fmt: skip
        return parts

    return Panel(audit, controls, view, delay=delay)


# -- step III: acquisition channels ---------------------------------------------------------------
def channel_controls(
    audit,
    table: pd.DataFrame,
    response: pd.DataFrame,
    *,
    payback: pd.DataFrame | None = None,
    delay: float = DEBOUNCE_SECONDS,
) -> Panel:
    """A channel filter of the payback curves (``payback_table``) and the share of the worst
    channel's monthly budget moved to the best (``reallocation_table`` on the report's
    ``channel_table`` and ``spend_response_table``; default 10 %, as in the report). The
    payback curves: ``payback`` (the report's), else computed on the first view (a large
    report run has none)."""
    known = payback
    payback = functools.cache(lambda: known if known is not None else channels.payback_table(audit))
    paid = table.loc[table["paid"].fillna(False).astype(bool), "channel"].tolist()
    controls = {
        "channel": _dropdown(
            audit.text("widget.channel"), _choices(audit, paid, all_key="funnel.legend.all")
        ),
        "share": _slider(audit.text("widget.share"), 0.10, 0.01, 0.5, 0.01),
    }
    money = audit.fmt

    def view(channel: str, share: float):
        curves = payback()
        curves = curves if channel == ALL else curves[curves["channel"] == channel]
        ax = plots.plot_payback(
            curves, title="", xlabel=audit.text("channels.axis.months"),
            ylabel=audit.text("channels.axis.margin", currency=audit.currency),
            cac_label=audit.text("channels.legend.cac"),
        )  # fmt: skip
        parts = {"payback": _figure(ax, audit.text("channels.fig.payback")), "reallocation": ""}
        moved = channels.reallocation_table(table, response, share=share)
        if len(moved) == 2:
            source, target = moved.iloc[0], moved.iloc[1]
            signed = lambda v: ("+" if v > 0 else "") + audit.fmt(v, "num1")  # noqa: E731
            value = moved["value_change"].sum()
            parts["reallocation"] = _para(
                audit, "channels.reallocation.finding", share=audit.fmt(share, "pct0"),
                source=source["channel"], amount=money(-source["spend_change"]),
                target=target["channel"], source_change=signed(source["new_customers_change"]),
                target_change=signed(target["new_customers_change"]),
                value=("+" if value > 0 else "") + money(value),
            )  # fmt: skip
        return parts

    return Panel(audit, controls, view, delay=delay)


# -- step IV: retention ---------------------------------------------------------------------------
def retention_controls(
    audit,
    *,
    customer_value: pd.DataFrame | None = None,
    reps: pd.DataFrame | None = None,
    survival: pd.DataFrame | None = None,
    summary: Mapping[str, Any] | None = None,
    delay: float = DEBOUNCE_SECONDS,
) -> Panel:
    """The churn threshold (days without a purchase, ``retention.churn_after_days``): recomputes
    the Kaplan–Meier curve (``survival_table``), the churn sentence (``retention_summary``) and
    churn by sales rep (``sales_rep_table`` with step I's ``customer_value``). At the configured
    threshold the report's tables when the notebook passes them: ``reps``, ``survival`` and
    ``summary`` (``show_churn``'s)."""
    default = audit.config.retention.churn_after_days
    at_default = reps
    known = (survival, summary) if survival is not None and summary is not None else None
    controls = {
        "churn_after_days": _int_slider(audit.text("widget.churn_days"), default, 30, 730, 5)
    }
    pct = lambda v: audit.fmt(v, "pct0")  # noqa: E731

    def view(churn_after_days: int):
        what_if = audit.with_settings(retention={"churn_after_days": int(churn_after_days)})

        def compute():
            km = retention.survival_table(what_if)
            return km, retention.retention_summary(what_if, km=km)

        km, summary = _at_setting(int(churn_after_days), int(default), known, compute)
        ax = plots.plot_survival(
            km, title="", xlabel=audit.text("funnel.axis.days"), ylabel="", label="Kaplan–Meier",
            pct=pct,
        )  # fmt: skip
        churn = churn_findings(summary, audit)[0]  # the report's sentence, or why there is none
        parts = {
            "churn": _para(audit, churn.key, **churn.values),
            "survival": _figure(ax, audit.text("ret.survival.fig")),
        }
        reps = (
            at_default
            if at_default is not None and int(churn_after_days) == int(default)
            else retention.sales_rep_table(what_if, customer_value=customer_value)
        )
        if reps is not None and len(reps):
            rates = [
                f"{pct(v)} ({pct(lo)}–{pct(hi)})"
                for v, lo, hi in reps[["churn_rate", "churn_ci_low", "churn_ci_high"]].itertuples(
                    index=False
                )
            ]
            shown = reps[["sales_rep", "customers"]].assign(churn=rates)
            parts["reps"] = _table(audit, shown, formats={"customers": "int", "churn": "pre"})
        return parts

    return Panel(audit, controls, view, delay=delay)


# -- step V: saturation ---------------------------------------------------------------------------
def saturation_controls(
    audit,
    *,
    values: Mapping[str, Any] | None = None,
    distribution: pd.DataFrame | None = None,
    free: pd.DataFrame | None = None,
    delay: float = DEBOUNCE_SECONDS,
) -> Panel:
    """The free-delivery threshold (currency; ``saturation.free_delivery_threshold``, else the
    75th percentile of order values as a first guess): orders just below it and the top-up
    uplift (``free_delivery_table``) over the order-value histogram (``order_value_table``).
    ``values`` (``order_value_summary``), ``distribution`` (``order_value_table``) and ``free``
    (``free_delivery_table`` at the configured threshold): the report's, when the notebook has
    them (else computed here)."""
    configured = audit.config.saturation.free_delivery_threshold
    if values is None and configured is None:
        values = saturation.order_value_summary(audit)
    default = float(configured if configured is not None else round(values["p75"]))
    at_default = free if configured is not None else None
    if skips_outputs(audit):  # nothing is drawn: the slider needs no distribution
        distribution = None
        high = 2 * default
    else:
        values = saturation.order_value_summary(audit) if values is None else values
        if distribution is None:
            distribution = saturation.order_value_table(audit)
        high = float(max(distribution["lower"].max(), 2 * default))
    step = max(1.0, round(high / 200))
    controls = {
        "threshold": _slider(
            audit.text("widget.threshold"), default, step, high, step, percent=False
        )
    }

    def view(threshold: float):
        free = _at_setting(
            float(threshold), default, at_default,
            lambda: saturation.free_delivery_table(audit, threshold=threshold),
        ).iloc[0]  # fmt: skip
        ax = plots.plot_order_values(
            distribution, threshold=threshold, median=values["median"], p75=values["p75"],
            title="", xlabel=audit.currency, ylabel="",
            median_label=audit.text("funnel.legend.median"),
            p75_label=audit.text("sat.legend.p75"),
            threshold_label=audit.text("sat.legend.free_delivery"),
        )  # fmt: skip
        return {
            "finding": _para(
                audit,
                "sat.free_delivery",
                near=audit.fmt(free["near_share"], "pct0"),
                threshold=audit.fmt(free["threshold"]),
                uplift=audit.fmt(free["uplift"]),
            ),  # fmt: skip
            "figure": _figure(ax, audit.text("sat.aov.fig")),
        }

    return Panel(audit, controls, view, delay=delay)


# -- summary: scenario levers ---------------------------------------------------------------------
def scenario_controls(audit, *, delay: float = DEBOUNCE_SECONDS) -> Panel:
    """The scenario levers (retention +pp, order value +%, frequency +%, acquisition cost −%;
    defaults ``scenarios:`` of ``client.yml``) through ``scenarios.scenario_table`` on step I's
    recorded figures, or on the simple CLV (``simple_clv_table``) when the notebook runs on its
    own; the CAC lever needs step III's spend."""
    calc = audit.recorded("calculation") or scenarios.simple_basis(
        calculation.simple_clv_table(audit)
    )
    spend = ((audit.recorded("channels_detail") or {}).get("overall") or {}).get("spend")
    levers = audit.config.scenarios
    controls = {
        "retention": _slider(
            audit.text("widget.lever.retention"), levers.retention_pp, 0.0, 0.2, 0.01
        ),
        "aov": _slider(audit.text("widget.lever.aov"), levers.aov_pct, 0.0, 0.5, 0.01),
        "frequency": _slider(
            audit.text("widget.lever.frequency"), levers.frequency_pct, 0.0, 0.5, 0.01
        ),
    }
    if spend:
        controls["cac"] = _slider(audit.text("widget.lever.cac"), levers.cac_pct, 0.0, 0.5, 0.01)

    def size(lever: str, x: float) -> str:
        return audit.fmt(100 * x, "num0") if lever == "retention" else audit.fmt(x, "pct0")

    def view(**sizes: float):
        table = scenarios.scenario_table(calc, sizes, spend=spend)
        shown = table.assign(lever=[audit.text(f"scen.{r.lever}", x=size(r.lever, r.change))
                                    for r in table.itertuples()])  # fmt: skip
        return {
            "scenarios": _table(
                audit,
                shown[["lever", "clv_after", "clv_change", "value_change", "spend_change"]],
                formats={
                    "clv_after": "money",
                    "clv_change": "pct",
                    "value_change": "money",
                    "spend_change": "money",
                },
            )  # fmt: skip
        }

    return Panel(audit, controls, view, delay=delay)
