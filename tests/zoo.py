"""The audit zoo: many clients from the client space (``clvlib.data.worlds``) and real public data
shaped as exports, each run through ``clv-audit run``, and the invariants every report keeps.

``run_zoo(clients)`` runs the audits two at a time (CI has 2 cores; each audit is one Python
kernel at a time) and returns one :class:`ZooRun` per client. ``report_problems(run)`` returns
every broken invariant of one run as a sentence (empty when the report holds): the tests assert
it is empty, so a failure lists all problems of a client at once.

The invariants (issue 16, REPORT.md):
- exit 0, or exit 2 with one ``error:`` paragraph — never 1 (an internal error), no traceback;
- no placeholder (—, nan, None, inf) in a sentence of audit.html (tables may show —), and no
  sentence left out for a missing value (``sentences_left_out`` in metrics.json is empty);
- every headline box of the executive summary equals its value in metrics.json, and figures
  stated in two steps agree (repeat rate, top-20 % share);
- no contradiction: scenarios exist whenever a CLV does; a channel is flagged "CAC above CLV"
  exactly when its LTV:CAC is below 1;
- no recommendation's yearly impact exceeds the yearly marketing spend plus the yearly margin;
- a model parameter at a bound and a holdout total outside its interval are said in words;
- ``rows_read == rows_used + Σ rows_excluded`` for every table.
"""

from __future__ import annotations

import html
import json
import math
import os
import queue
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import yaml
from babel import Locale, numbers

from clvlib.i18n import fmt
from clvlib.texts import TEXTS

ROOT = Path(__file__).resolve().parents[1]
#: what a missing value looks like once formatted, in running text
PLACEHOLDER = re.compile(
    r"(?<![\w.])(nan|NaN|None|[-−]?inf|Infinity)(?![\w.])"  # words of a missing number
    r"|—\s*(?=[.,;:)(–\d]|$)|\(\s*—"  # "gives —.", "— (95 % CI …)", "(—"
    r"|\s—\s(?:do|to|and|i|und|bis)\s"  # "from — to —", "z — do —"
)
#: a range whose ends coincide: "between day 7 and day 7", "między 7. a 7. dniem", "1%–1%"
COLLAPSED = re.compile(
    r"\b(?:between|from|od|między)\s+(?:day\s+|dnia\s+)?(\d[\d.,]*?)\.?\s+(?:and|to|a|do)\s+"
    r"(?:day\s+|dnia\s+)?\1(?![\d,])|(?<![\d.,])(\d[\d.,]*\s?%)\s?[–-]\s?\2(?![\d])"
)
#: a range over named groups whose ends read the same: "from EUR 57,190 (TikTok) to EUR 57,190
#: (Mundpropaganda)", "od 268 EUR (Bing Ads) do 268 EUR (Empfehlung)" (issue 17)
COLLAPSED_NAMED = re.compile(
    r"\b(?:from|od)\s+([^\s()]+(?:\s[^\s()]+)?)\s+\([^()]*\)\s+(?:to|do)\s+\1\s+\("
)
#: a bold figure that is missing, in the markup itself (the report bolds its figures)
BOLD_HOLE = re.compile(r"<b>\s*(—|nan|NaN|None|[-−]?inf)\s*</b>")


@dataclass
class ZooRun:
    """One client through ``clv-audit run``."""

    name: str
    config: Path
    code: int
    stdout: str
    stderr: str
    pdf: bool
    seconds: float

    @property
    def run_dir(self) -> Path | None:
        lines = self.stdout.strip().splitlines()
        return Path(lines[-1]) if self.code == 0 and lines else None

    def metrics(self) -> dict:
        return json.loads((self.run_dir / "metrics.json").read_text(encoding="utf-8"))

    def html(self) -> str:
        return (self.run_dir / "audit.html").read_text(encoding="utf-8")


def run_one(name: str, config: Path, out: Path, *, pdf: bool, env: dict | None = None) -> ZooRun:
    """``python -m clvlib run CONFIG --out OUT --quiet [--no-pdf]`` in a subprocess.

    ``env`` is the environment the audit sees (default: this process's, read now). The
    background zoo passes the one it saw at start: tests running beside it change
    ``os.environ`` through ``monkeypatch`` (e.g. ``CLVLIB_NOTEBOOKS`` pointing at a notebook
    that raises on purpose), and a zoo audit must not inherit that."""
    import time

    args = [sys.executable, "-m", "clvlib", "run", str(config), "--out", str(out), "--quiet"]
    if not pdf:
        args.append("--no-pdf")
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=900, env=env)
    return ZooRun(
        name, config, done.returncode, done.stdout, done.stderr, pdf, time.perf_counter() - start
    )


def run_zoo(clients: list[tuple[str, Path, bool]], out: Path, *, workers: int = 2) -> list[ZooRun]:
    """Run every ``(name, client.yml, pdf)``; ``workers`` audits at a time."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = [pool.submit(run_one, n, c, out / n, pdf=p) for n, c, p in clients]
        return [job.result() for job in jobs]


class BackgroundZoo:
    """The zoo's audits run while the rest of the suite does: most tests use one core, so
    ``tests/conftest.py`` starts one worker at collection and the zoo's fixture adds a second
    when it is reached (CI has 2 cores; the zoo alone takes ~9 minutes on them).

    ``make_clients()`` returns the ``(name, client.yml, pdf)`` list; it runs in the first
    worker, so collection does not wait for the clients to be written."""

    def __init__(self, make_clients, out: Path) -> None:
        self._make_clients, self._out = make_clients, out
        self._jobs: queue.Queue = queue.Queue()
        self._runs: dict[str, ZooRun] = {}
        self._ready = threading.Event()
        self._threads: list[threading.Thread] = []
        self._errors: list[BaseException] = []
        self._env = dict(os.environ)  # before any test's monkeypatch can touch it

    def start(self) -> BackgroundZoo:
        self._add_worker(first=True)
        return self

    def _add_worker(self, *, first: bool = False) -> None:
        thread = threading.Thread(target=self._work, args=(first,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _work(self, first: bool) -> None:
        try:
            if first:
                self.names = []
                for client in self._make_clients():
                    self.names.append(client[0])
                    self._jobs.put(client)
                self._ready.set()
            self._ready.wait()
            while True:
                try:
                    name, config, pdf = self._jobs.get_nowait()
                except queue.Empty:
                    return
                self._runs[name] = run_one(name, config, self._out / name, pdf=pdf, env=self._env)
        except BaseException as exc:  # reported by results(), not lost in a thread
            self._errors.append(exc)
            self._ready.set()

    def results(self) -> dict[str, ZooRun]:
        """Add a worker, wait for every audit, and return name → ``ZooRun``."""
        self._add_worker()
        for thread in self._threads:
            thread.join()
        if self._errors:
            raise self._errors[0]
        return {name: self._runs[name] for name in self.names}


# -- reading the report -------------------------------------------------------------------------
class _Sentences(HTMLParser):
    """The running text of audit.html: paragraphs, list items, headings, captions and box
    sub-lines, each as one string; table cells and box values are left out (tables may show —)."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "figcaption", "caption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[list[str]] = []
        self._in_table = 0
        self._box_sub = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._in_table += 1
        if tag == "style" or tag == "script":
            self._in_table += 1  # not text either
        classes = dict(attrs).get("class") or ""
        if tag in self.BLOCKS or (tag == "div" and "box-sub" in classes):
            self._stack.append([])
            self._box_sub = tag == "div"

    def handle_endtag(self, tag):
        if tag in ("table", "style", "script"):
            self._in_table -= 1
        if (tag in self.BLOCKS or (tag == "div" and self._box_sub)) and self._stack:
            parts = self._stack.pop()
            self._box_sub = False
            if not self._in_table:
                self.texts.append("".join(parts).strip())

    def handle_data(self, data):
        if self._stack:
            self._stack[-1].append(data)


def sentences(markup: str) -> list[str]:
    """Every piece of running text of a report (see ``_Sentences``)."""
    parser = _Sentences()
    parser.feed(markup)
    return [t for t in parser.texts if t]


def boxes(markup: str) -> list[tuple[str, str, str]]:
    """The executive summary's headline boxes: (label, value, sub-line) as shown."""
    found = re.findall(
        r'<div class="box-label">(.*?)</div><div class="box-value">(.*?)</div>'
        r'<div class="box-sub">(.*?)</div>',
        markup,
        flags=re.S,
    )
    return [tuple(html.unescape(part) for part in box) for box in found]


def _get(metrics: dict, path: str):
    value = metrics
    for part in path.split("."):
        if not isinstance(value, dict) or value.get(part) is None:
            return None
        value = value[part]
    return value


#: headline box (text key) → where its figure is in metrics.json, and how it is formatted
BOX_FIGURES = {
    "sum.box.clv": (("calculation.clv.mean", "calculation.simple_clv"), "money"),
    "sum.box.max_cac": (("calculation.max_cac",), "money"),
    "sum.box.cac": (("channels_detail.overall.cac",), "money"),
    "sum.box.ltv_cac": (("channels_detail.overall.ltv_cac",), "num1"),
    "sum.box.aov": (("calculation.aov",), "money"),
    "sum.box.frequency": (("calculation.purchase_frequency_per_year",), "num1"),
    "sum.box.repeat": (("calculation.repeat_rate",), "pct0"),
    "sum.box.top20": (("calculation.top20_share",), "pct0"),
}


# -- the invariants --------------------------------------------------------------------------
def report_problems(run: ZooRun) -> list[str]:
    """Every invariant the run breaks, as sentences (empty: the report holds)."""
    if run.code == 2:
        return _refusal_problems(run)
    if run.code != 0:
        return [f"exit {run.code} (an internal error): {run.stderr.strip()[-1500:]}"]
    config = yaml.safe_load(run.config.read_text(encoding="utf-8"))
    metrics, markup = run.metrics(), run.html()
    locale, currency = config.get("locale", "en"), config.get("currency", "PLN")
    problems = []
    problems += _placeholder_problems(metrics, markup)
    problems += _box_problems(metrics, markup, locale, currency)
    problems += _consistency_problems(metrics)
    problems += _recommendation_problems(metrics)
    problems += _caveat_problems(metrics)
    problems += _difference_problems(metrics)
    problems += _cap_problems(metrics, config)
    problems += _season_problems(metrics)
    problems += _covariate_problems(metrics)
    problems += _reconciliation_problems(metrics)
    if run.pdf:
        problems += _pdf_problems(run.run_dir / "audit.pdf")
    return problems


def _refusal_problems(run: ZooRun) -> list[str]:
    if "Traceback" in run.stderr:
        return ["exit 2 with a traceback"]
    start = run.stderr.rfind("error: ")
    paragraph = run.stderr[start + len("error: ") :].strip() if start >= 0 else ""
    if not paragraph or "\n" in paragraph or "Fix:" not in paragraph:
        return [f"exit 2 without one paragraph naming the fix: {run.stderr.strip()[-800:]}"]
    return []


def _placeholder_problems(metrics: dict, markup: str) -> list[str]:
    problems = [
        f"sentence {hole['key']} had a missing value ({', '.join(hole['values'])})"
        for hole in metrics.get("sentences_left_out") or []
    ]
    for text in sentences(markup):
        if PLACEHOLDER.search(text):
            problems.append(f"placeholder in a sentence: {text[:300]!r}")
        if COLLAPSED.search(text) or COLLAPSED_NAMED.search(text):
            problems.append(f"a range whose ends coincide: {text[:300]!r}")
    problems += [f"a bold figure is missing: {m.group(0)!r}" for m in BOLD_HOLE.finditer(markup)]
    return problems


def _box_problems(metrics: dict, markup: str, locale: str, currency: str) -> list[str]:
    language = "pl" if locale.startswith("pl") else "en"
    keys = {entry[language]: key for key, entry in TEXTS.items() if key.startswith("sum.box.")}
    problems = []
    shown = boxes(markup)
    if metrics.get("calculation") and not shown:
        problems.append("the executive summary shows no headline figures")
    for label, value, _sub in shown:
        key = keys.get(label)
        if key not in BOX_FIGURES:
            continue  # a box this check does not know (tested where it is made)
        paths, kind = BOX_FIGURES[key]
        figure = next((v for p in paths if (v := _get(metrics, p)) is not None), None)
        if figure is None:
            problems.append(f"box {label!r} shows {value!r} but metrics.json has no {paths[0]}")
            continue
        expected = fmt(figure, kind, locale=locale, currency=currency)
        if value != expected:
            problems.append(f"box {label!r} shows {value!r}, metrics.json {paths} {expected!r}")
        read = read_back(value, kind, locale, currency)
        scale = 100 if kind.startswith("pct") else 1
        if read is None or abs(read[0] - scale * figure) > 0.5 * 10 ** -read[1] + 1e-9:
            problems.append(f"box {label!r} shows {value!r}, which does not read back as "
                            f"{figure} in {locale} (read: {read})")  # fmt: skip
    return problems


def read_back(value: str, kind: str, locale: str, currency: str) -> tuple[float, int] | None:
    """The number a figure shows and its decimals, read with the locale's separators by Babel's
    parser (not by the formatter that wrote it): a box whose digits, grouping or decimal mark
    are not the locale's, or whose percentage is not scaled by 100, does not read back."""
    loc = Locale.parse(locale.replace("-", "_"))
    text = value
    if kind.startswith("money"):
        text = text.replace(numbers.get_currency_symbol(currency, locale=loc), "")
        text = text.replace(currency, "")
    if kind.startswith("pct"):
        text = text.replace(loc.number_symbols["latn"]["percentSign"], "")
    text = text.strip(" \u00a0\u202f")
    decimal = numbers.get_decimal_symbol(loc)
    try:
        number = float(numbers.parse_decimal(text, locale=loc, strict=True))
    except numbers.NumberFormatError:
        return None
    return number, len(text.rpartition(decimal)[2]) if decimal in text else 0


def _close(a, b, rel: float = 1e-9) -> bool:
    return a is None or b is None or abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def _consistency_problems(metrics: dict) -> list[str]:
    calc = metrics.get("calculation") or {}
    problems = []
    pairs = [
        ("calculation.repeat_rate", "retention.repeat_rate"),
        ("calculation.top20_share", "saturation.top20_share"),
    ]
    for a, b in pairs:
        if not _close(_get(metrics, a), _get(metrics, b), 1e-6):
            problems.append(f"{a} = {_get(metrics, a)} but {b} = {_get(metrics, b)}")
    said = metrics.get("sentences_said") or []
    if calc.get("clv") and not metrics.get("scenarios"):
        problems.append("a predictive CLV exists but there is no scenario")
    if calc.get("clv") and "sum.no_scenarios" in said:
        problems.append("the summary says no CLV could be computed, yet a predictive CLV exists")
    for row in metrics.get("channels") or []:
        ratio, flag = row.get("ltv_cac"), row.get("cac_above_clv")
        if ratio is not None and flag is not None and bool(flag) != (ratio < 1):
            problems.append(f"channel {row.get('channel')!r}: LTV:CAC {ratio} but flag {flag}")
    return problems


def yearly_ceiling(metrics: dict) -> float | None:
    """The client's yearly marketing spend plus yearly margin (currency a year): no lever of an
    audit can be worth more than that a year."""
    calc = metrics.get("calculation") or {}
    years = calc.get("window_years")
    if not years or calc.get("aov") is None or not calc.get("orders"):
        return None
    margin = calc["aov"] * calc["orders"] * (calc.get("gross_margin") or 1.0) / years
    spend = sum((row.get("spend") or 0.0) for row in metrics.get("channels") or []) / years
    return margin + spend


def _recommendation_problems(metrics: dict) -> list[str]:
    ceiling = yearly_ceiling(metrics)
    problems = []
    for rec in metrics.get("recommendations") or []:
        impact = rec.get("estimated_impact")
        if impact is not None and ceiling is not None and impact > ceiling * (1 + 1e-9):
            problems.append(
                f"recommendation {rec['id']!r}: {impact:,.0f} a year exceeds the yearly spend "
                f"plus margin ({ceiling:,.0f})"
            )
        for field in ("title", "evidence"):
            if PLACEHOLDER.search(str(rec.get(field, ""))):
                problems.append(f"recommendation {rec['id']!r}: placeholder in its {field}")
            if COLLAPSED.search(str(rec.get(field, ""))) or COLLAPSED_NAMED.search(
                str(rec.get(field, ""))
            ):
                problems.append(f"recommendation {rec['id']!r}: a collapsed range in its {field}")
    problems += _unsupported_recommendations(metrics)
    moves = _get(metrics, "channels_detail.reallocation") or []
    counted = [r for r in metrics.get("recommendations") or [] if r["id"] == "reallocate_budget"]
    extrapolated = [
        m for m in moves if m.get("extrapolated") or not m.get("within_observed_range", True)
    ]
    if counted and moves and len(extrapolated) == len(moves):
        if counted[0].get("estimated_impact") is not None:
            problems.append("a budget move beyond the observed spend is counted and ranked")
    return problems


#: step II's fatigue comparisons (``funnel.fatigue_<rate>_comparison``)
FATIGUE_RATES = ("ctr", "unsubscribe")


def _unsupported_recommendations(metrics: dict) -> list[str]:
    """Issue 17: coaching a sales rep follows only from step IV's rep test finding a difference
    (and naming that rep); capping messages only from step II's fatigue tests finding one."""
    ids = [r.get("id", "") for r in metrics.get("recommendations") or []]
    problems = []
    reps = _get(metrics, "retention_detail.sales_rep_comparison") or {}
    for rec in (i for i in ids if i.startswith("coach_sales_rep:")):
        if not reps.get("differs"):
            problems.append(f"{rec} recommended, but the reps' test found no difference")
        elif rec.split(":", 1)[1] != reps.get("high_rep"):
            problems.append(f"{rec} recommended, but the test names {reps.get('high_rep')!r}")
    fatigue = [_get(metrics, f"funnel.fatigue_{k}_comparison") or {} for k in FATIGUE_RATES]
    if "cap_messages" in ids and not any(t.get("differs") for t in fatigue):
        problems.append("cap_messages recommended, but no fatigue test found a difference")
    return problems


def _caveat_problems(metrics: dict) -> list[str]:
    said = set(metrics.get("sentences_said") or [])
    bounded = set(_get(metrics, "calculation.model.at_bounds") or [])
    dropout = set(_get(metrics, "calculation.model.dropout_at_bounds") or [])
    problems = []
    if dropout and "calc.clv.no_dropout" not in said:
        problems.append(f"drop-out parameters {sorted(dropout)} at a bound, not said in words")
    if bounded - dropout and "calc.clv.params_at_bounds" not in said:
        problems.append(f"parameters {sorted(bounded - dropout)} at a bound, not said in words")
    if dropout and not _get(metrics, "calculation.clv.interval_caveat"):
        problems.append("drop-out is at a bound but the CLV interval carries no caveat")
    if _get(metrics, "calculation.holdout.miss") and "calc.predictive.miss" not in said:
        problems.append("the holdout total is outside its interval but is not called a miss")
    return problems


#: a strong season said in words; a holdout that holds part of it said so (issue 17)
SEASON_STRONG_SENTENCES = {"calc.predictive.season_strong"}
SEASON_PART_SENTENCES = {"calc.predictive.season_part_config", "calc.predictive.season_part_short"}


def _season_problems(metrics: dict) -> list[str]:
    """A strong season (``calculation.seasonality.strong``) is said; a holdout that does not
    cover a full season while the season is strong (or strong in the one year seen) says that it
    holds only part of the season."""
    said = set(metrics.get("sentences_said") or [])
    season = _get(metrics, "calculation.seasonality") or {}
    holdout = _get(metrics, "calculation.holdout") or {}
    problems = []
    if season.get("strong") and not said & SEASON_STRONG_SENTENCES:
        problems.append("the season is strong but the report does not say so")
    matters = season.get("strong") or season.get("strong_in_one_year")
    validated = holdout.get("actual_total") is not None
    if matters and validated and holdout.get("covers_full_season") is False:
        if not said & SEASON_PART_SENTENCES:
            problems.append("the holdout holds part of a strong season, unsaid")
    return problems


#: the simple CLV's cap said in words; the simple/predictive gap explained (issue 17)
CAP_SENTENCES = {"calc.simple.finding_capped", "calc.simple.finding_capped_all"}
GAP_SENTENCES = {"calc.clv.gap_high", "calc.clv.gap_low"}


def _cap_problems(metrics: dict, config: dict | None = None) -> list[str]:
    """A binding cap on the simple CLV's retention period is said; a simple CLV more than
    twice (or under half) the predictive one is explained; no simple-CLV figure is infinite.

    Besides the flags step I records (``simple.cap_binds``, ``simple_to_predictive_ratio``),
    the figures are read on their own, so a step that forgot to set a flag is caught too: the
    retention period stays within ``economics.retention_period_cap_years`` of ``config``
    (client.yml; its default otherwise), and the gap is simple CLV / maximum CAC whenever the
    maximum CAC is the predictive new-customer value."""
    from clvlib.config import Economics

    said = set(metrics.get("sentences_said") or [])
    simple = _get(metrics, "calculation.simple") or {}
    problems = []
    economics = (config or {}).get("economics") or {}
    cap = economics.get(
        "retention_period_cap_years", Economics.model_fields["retention_period_cap_years"].default
    )
    years = _get(metrics, "calculation.retention_years")
    if isinstance(years, (int, float)) and math.isfinite(years) and years > cap * (1 + 1e-9):
        problems.append(f"retention period {years:.1f} years above the cap of {cap} years")
    simple_clv, max_cac = (_get(metrics, f"calculation.{k}") for k in ("simple_clv", "max_cac"))
    predictive = _get(metrics, "calculation.max_cac_basis") == "predictive"
    if predictive and simple_clv and max_cac and simple_clv > 0 and max_cac > 0:
        own = simple_clv / max_cac
        if not 0.5 <= own <= 2 and not said & GAP_SENTENCES:
            problems.append(f"simple CLV / new-customer value = {own:.2f}, not explained in words")
    if simple.get("cap_binds") and _get(metrics, "calculation.simple_clv") is not None:
        if not said & CAP_SENTENCES:
            problems.append("the retention-period cap binds but the report does not say so")
    ratio = _get(metrics, "calculation.simple_to_predictive_ratio")
    if ratio is not None and not 0.5 <= ratio <= 2 and not said & GAP_SENTENCES:
        problems.append(f"simple / predictive CLV = {ratio:.2f}, not explained in words")
    figures = {f"simple.{k}": v for k, v in simple.items()}
    for key in ("simple_clv", "retention_years", "retention_formula_clv", "max_cac_simple"):
        figures[key] = _get(metrics, f"calculation.{key}")
    for key, value in figures.items():
        if isinstance(value, float) and math.isinf(value):
            problems.append(f"calculation.{key} is infinite")
    return problems


def _comparisons(node, path: str = ""):
    """Every comparison decision recorded in metrics.json: (path, dict with ``differs``)."""
    if isinstance(node, dict):
        if "differs" in node and "difference_keys" in node:
            yield path, node
        for key, value in node.items():
            yield from _comparisons(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _comparisons(value, f"{path}[{i}]")


def _difference_problems(metrics: dict) -> list[str]:
    """Issue 17: a comparison recorded as ``differs: false`` is not said as a difference, and
    one recorded as ``differs: true`` is not said as no difference."""
    said = set(metrics.get("sentences_said") or [])
    problems = []
    for path, decision in _comparisons(metrics):
        p, threshold = decision.get("p_value"), decision.get("threshold")
        if p is not None and threshold is not None and decision["differs"] != (p < threshold):
            problems.append(f"{path}: differs is {decision['differs']} with p = {p} against "
                            f"{threshold}")  # fmt: skip
        pairs, alpha = decision.get("comparisons"), decision.get("alpha")
        if pairs and alpha and threshold is not None and not _close(threshold, alpha / pairs):
            problems.append(f"{path}: threshold {threshold} is not alpha / pairs ({alpha}/{pairs})")
        wrong = "difference_keys" if not decision["differs"] else "no_difference_keys"
        for key in sorted(said & set(decision.get(wrong) or [])):
            problems.append(f"{path}: differs is {decision['differs']}, yet {key!r} was said")
    return problems


def _covariate_problems(metrics: dict) -> list[str]:
    """Step I's covariate model (channel, loyalty) serves exactly when its likelihood-ratio
    test rejects at 5 %, and the report says which model valued the channels."""
    from clvlib.channel_models import LR_LEVEL

    record = _get(metrics, "calculation.clv.covariate_model")
    if not record:
        return []
    said = set(metrics.get("sentences_said") or [])
    p = record.get("p_value")
    problems = []
    if p is not None and record["used"] != (p < LR_LEVEL):
        problems.append(f"covariate model used={record['used']} with LR p = {p}")
    expected = (
        "calc.clv.covariates_used"
        if record["used"]
        else "calc.clv.covariates_not_used"
        if p is not None and record["columns"]
        else None
    )
    if expected and expected not in said:
        problems.append(f"covariate model decided (used={record['used']}) but {expected} not said")
    if record["used"] and "calc.clv.covariates_not_used" in said:
        problems.append("covariate model used yet the report says the channels do not differ")
    return problems


def _reconciliation_problems(metrics: dict) -> list[str]:
    problems = []
    for table, q in (_get(metrics, "data_quality.tables") or {}).items():
        excluded = sum((q.get("rows_excluded") or {}).values())
        if q["rows_read"] != q["rows_used"] + excluded:
            problems.append(f"{table}: {q['rows_read']} read != {q['rows_used']} + {excluded}")
    return problems


def _pdf_problems(pdf: Path) -> list[str]:
    if not pdf.is_file() or pdf.stat().st_size < 10_000:
        return [f"no PDF at {pdf}"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    words = re.findall(r"(?<![\w.])(nan|NaN|None|inf)(?![\w.])", text)
    return [f"the PDF's text has {sorted(set(words))}"] if words else []


# -- real public data shaped as exports ------------------------------------------------------
def cdnow_client(out: Path, *, dialect: str, months: int | None = None) -> Path:
    """CDNOW's 1/10 sample (tests/data, Fader–Hardie–Lee 2005) written as a client's export:
    ``dialect="pl"`` — ``;``, decimal comma, cp1250, ``dd.mm.yyyy``, Polish column names, PLN,
    report in Polish; ``"en"`` — a US/UK-style CSV, USD, English. ``months`` keeps only the first
    months of purchases (a short history). Orders only: no optional table."""
    raw = pd.read_csv(
        ROOT / "tests" / "data" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master", "customer", "date", "cds", "value"],
        dtype={"date": str},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    if months:
        raw = raw[raw["date"] < raw["date"].min() + pd.DateOffset(months=months)]
    raw = raw.reset_index(drop=True)
    out.mkdir(parents=True, exist_ok=True)
    if dialect == "pl":
        frame = pd.DataFrame(
            {
                "Nr klienta": raw["customer"],
                "Nr zamówienia": [f"Z/{i:05d}" for i in range(len(raw))],
                "Data zamówienia": raw["date"].dt.strftime("%d.%m.%Y"),
                "Ilość płyt": raw["cds"],
                "Wartość": raw["value"].map(lambda v: f"{v:.2f}".replace(".", ",")),
            }
        )
        frame.to_csv(out / "zamowienia.csv", sep=";", index=False, encoding="cp1250")
        columns = {"customer_id": "Nr klienta", "order_id": "Nr zamówienia"}
        columns |= {"order_ts": "Data zamówienia", "revenue": "Wartość"}
        source = {
            "path": "zamowienia.csv",
            "columns": columns,
            "csv": {"sep": ";", "decimal": ",", "encoding": "cp1250", "date_format": "%d.%m.%Y"},
        }
        top = {"client": "CDNOW (próbka)", "currency": "PLN", "locale": "pl"}
    else:
        frame = pd.DataFrame(
            {
                "CustomerID": raw["customer"],
                "InvoiceNo": [f"INV{i:06d}" for i in range(len(raw))],
                "InvoiceDate": raw["date"].dt.strftime("%Y-%m-%d"),
                "Amount": raw["value"],
            }
        )
        frame.to_csv(out / "orders.csv", index=False)
        columns = {"customer_id": "CustomerID", "order_id": "InvoiceNo"}
        columns |= {"order_ts": "InvoiceDate", "revenue": "Amount"}
        source = {"path": "orders.csv", "columns": columns}
        top = {"client": "CDNOW sample", "currency": "USD", "locale": "en"}
    weeks = max(0, min(39, int((raw["date"].max() - raw["date"].min()).days / 7 / 3)))
    doc = {**top, "holdout_weeks": weeks, "sources": {"transactions": source}}
    path = out / "client.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def zoo_size() -> int:
    """Clients drawn from the client space in ``make test`` (``CLVLIB_ZOO`` overrides)."""
    return int(os.environ.get("CLVLIB_ZOO", "40"))
