"""Model-fitting benchmark: clvlib against lifetimes 0.11.3, side by side in one run.

What is measured (issue 4, "Speed"):

- BG/NBD: ``clvlib.models.bgnbd.BGNBD().fit(rfm)`` against lifetimes'
  ``BetaGeoFitter().fit(frequency, recency, T)``;
- Gamma-Gamma (when ``clvlib/models/gammagamma.py`` exists): ``GammaGamma().fit(rfm)`` against
  ``GammaGammaFitter().fit(frequency, monetary_value)`` on the repeat customers,

on simulated customers (100,000 and 1,000,000) drawn once from known parameters with a seeded
numpy generator and written to ``benchmarks/.data/``. Times are wall-clock seconds of the fit call
alone (data already in memory), best of ``repeats`` runs. lifetimes runs in its own virtualenv
(``benchmarks/.venv-lifetimes``, made by ``lifetimes_env.sh``) in a subprocess that reads the same
file and times its fit itself; this file is that subprocess's script too (``worker`` command), so
its top level imports nothing but the standard library, numpy and pandas.

The log-likelihoods are comparable because both optima are evaluated by *our* likelihood
(``_loglik_and_grad`` on the same data). lifetimes' own ``_negative_log_likelihood_`` is the *mean*
negative log-likelihood, and for BG/NBD on times rescaled by ``1 / max(T)``: the total on the
original time scale is ``-n · nll - Σx · ln(max T)`` (each repeat purchase's density picks up the
Jacobian of the rescaling); that conversion is reported as a cross-check.

Simulated data (times in weeks at a resolution of one day, as ``clvlib.calculation.rfm_summary``
produces them): first purchases uniform over 52 weeks of acquisition, observation ends 78 weeks
after the start (so T is 26 to 78 weeks); BG/NBD purchases with the CDNOW estimates of Fader,
Hardie & Lee (2005) r = 0.243, α = 4.414 weeks, a = 0.793, b = 2.426; the mean spend of a repeat
customer's x purchases from the Gamma-Gamma model with p = 6.25, q = 3.74, v = 15.44 (dollars),
rounded to cents. The file stores whole days and cents (``recency_days``, ``T_days``,
``monetary_cents``) so both processes derive bit-identical floats.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA_DIR = HERE / ".data"
RESULTS_DIR = HERE / "results"
LIFETIMES_VENV = Path(os.environ.get("LIFETIMES_VENV", HERE / ".venv-lifetimes"))
LIFETIMES_PYTHON = LIFETIMES_VENV / "bin" / "python"
ENV_SCRIPT = HERE / "lifetimes_env.sh"
CDNOW_TRANSACTIONS = ROOT / "tests" / "data" / "CDNOW_sample.txt"
CDNOW_SUMMARY = ROOT / "tests" / "data" / "cdnow_customers_summary.csv"

#: Simulation truth: BG/NBD and Gamma-Gamma CDNOW estimates (weeks, dollars).
TRUE_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_GAMMAGAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
ACQUISITION_DAYS = 364  # first purchases on days 0 … 363
OBSERVATION_DAYS = 546  # observation ends on day 546 (week 78)
SEED = 20240401
DATA_VERSION = 1  # bump when the simulation changes, so cached files are redrawn

#: BG/NBD target of issue 4: a 1 M-customer fit within this many seconds, at least this many
#: times faster than lifetimes, with the same log-likelihood to this relative tolerance.
TARGET_SECONDS = 1.0
TARGET_SPEEDUP = 10.0
TARGET_REL_LL = 1e-6
#: Issue 18's target: Pareto/NBD on 1 M customers within this many seconds, in either world.
TARGET_PARETO_SECONDS = 2.0
#: lifetimes' Pareto/NBD fit (Nelder-Mead on scipy's hyp2f1, every customer) is stopped here.
LIFETIMES_TIME_LIMIT = 600.0


def log(message: str) -> None:
    """Progress line on stderr (the table goes to stdout)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- data --------------------------------------------------------------------------------------


def bgnbd_purchases(lam, p_drop, horizon, rng) -> tuple[np.ndarray, np.ndarray]:
    """Repeat purchases of a Poisson process at rate ``lam`` (per week) on (0, ``horizon``],
    leaving after each with probability ``p_drop``: each customer's count and last time."""
    n = len(lam)
    x, last, clock = np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n)
    active = np.arange(n)
    while active.size:
        clock[active] += rng.exponential(1.0, active.size) / lam[active]
        active = active[clock[active] <= horizon[active]]
        x[active] += 1
        last[active] = clock[active]
        active = active[rng.random(active.size) >= p_drop[active]]
    return x, last


def simulate_customers(n: int, seed: int = SEED) -> pd.DataFrame:
    """Draw ``n`` BG/NBD customers with a Gamma-Gamma mean spend (see the module docstring).

    Columns: ``frequency`` (repeat purchases), ``recency_days``, ``T_days`` (whole days from the
    first purchase to the last one / to the end of observation) and ``monetary_cents`` (mean spend
    per repeat purchase in cents, 0 without a repeat purchase).
    """
    rng = np.random.default_rng(seed)
    r, alpha, a, b = (TRUE_BGNBD[k] for k in ("r", "alpha", "a", "b"))
    first_day = rng.integers(0, ACQUISITION_DAYS, n)
    t_days = OBSERVATION_DAYS - first_day
    horizon = t_days / 7.0  # weeks
    lam = rng.gamma(r, 1.0 / alpha, n)  # purchases per week while active
    p_drop = rng.beta(a, b, n)
    x, last = bgnbd_purchases(lam, p_drop, horizon, rng)
    recency_days = np.floor(last * 7.0).astype(np.int64)

    p, q, v = (TRUE_GAMMAGAMMA[k] for k in ("p", "q", "v"))
    nu = rng.gamma(q, 1.0 / v, n)  # per-customer rate of spend
    repeat = x > 0
    mean_spend = np.zeros(n)
    xr = x[repeat].astype(float)
    mean_spend[repeat] = rng.gamma(p * xr, 1.0 / (nu[repeat] * xr))
    cents = np.where(repeat, np.maximum(np.round(mean_spend * 100.0), 1.0), 0.0).astype(np.int64)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "frequency": x,
            "recency_days": recency_days,
            "T_days": t_days,
            "monetary_cents": cents,
        }
    )


def to_rfm(raw: pd.DataFrame) -> pd.DataFrame:
    """The lifetimes layout in weeks and dollars: frequency, recency, T, monetary_value."""
    return pd.DataFrame(
        {
            "frequency": raw["frequency"].to_numpy(dtype="float64"),
            "recency": raw["recency_days"].to_numpy(dtype="float64") / 7.0,
            "T": raw["T_days"].to_numpy(dtype="float64") / 7.0,
            "monetary_value": raw["monetary_cents"].to_numpy(dtype="float64") / 100.0,
        }
    )


def data_file(n: int, seed: int = SEED) -> Path:
    """Write the simulated customers once (CSV, read by both processes); return the path."""
    path = DATA_DIR / f"customers_{n}_seed{seed}_v{DATA_VERSION}.csv"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        log(f"simulating {n:,} customers (seed {seed}) -> {path.relative_to(ROOT)}")
        raw = simulate_customers(n, seed)
        tmp = path.with_suffix(".tmp")
        raw.to_csv(tmp, index=False)
        tmp.replace(path)
        meta = {
            "customers": n,
            "seed": seed,
            "bgnbd": TRUE_BGNBD,
            "gammagamma": TRUE_GAMMAGAMMA,
            "acquisition_days": ACQUISITION_DAYS,
            "observation_days": OBSERVATION_DAYS,
            "time_unit": "weeks (days / 7)",
            "currency": "dollars (cents / 100)",
        }
        path.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    return path


# -- lifetimes side (runs inside benchmarks/.venv-lifetimes) -------------------------------------


def _worker_fit(model: str, path: Path, repeats: int) -> dict:
    import lifetimes
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter

    warnings.simplefilter("ignore")
    rfm = to_rfm(pd.read_csv(path))
    times, fitted, error = [], None, None
    if model in ("bgnbd", "paretonbd"):
        frequency, recency, T = rfm["frequency"], rfm["recency"], rfm["T"]
    else:
        repeaters = rfm[rfm["frequency"] > 0]
        frequency, monetary = repeaters["frequency"], repeaters["monetary_value"]
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            if model == "bgnbd":
                fitted = BetaGeoFitter().fit(frequency, recency, T)
            elif model == "paretonbd":
                fitted = ParetoNBDFitter().fit(frequency, recency, T)
            else:
                fitted = GammaGammaFitter().fit(frequency, monetary)
        except Exception as exc:  # lifetimes raises ConvergenceError; report, do not crash
            error = f"{type(exc).__name__}: {exc}".strip()
            break
        times.append(time.perf_counter() - start)
    result = {
        "model": model,
        "rows": int(len(frequency)),
        "times": times,
        "error": error,
        "versions": {
            "lifetimes": lifetimes.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "python": platform.python_version(),
        },
    }
    if fitted is not None:
        result["params"] = {k: float(v) for k, v in fitted.params_.items()}
        result["mean_negative_log_likelihood"] = float(fitted._negative_log_likelihood_)
        if model in ("bgnbd", "paretonbd"):
            result["time_scale"] = float(fitted._scale)
    return result


def _summaries(transactions: pd.DataFrame) -> dict[str, pd.DataFrame]:
    from lifetimes.utils import summary_data_from_transaction_data

    common = dict(
        customer_id_col="customer_id",
        datetime_col="date",
        monetary_value_col="value",
        observation_period_end="1997-09-30",
    )
    return {
        # As asked: calendar-week periods (lifetimes' own weekly grid).
        "weekly_periods": summary_data_from_transaction_data(transactions, freq="W", **common),
        # Calendar days counted in weeks: the published CDNOW summary and clvlib's rfm_summary.
        "days_over_7": summary_data_from_transaction_data(
            transactions, freq="D", freq_multiplier=7, **common
        ),
    }


def _worker_cdnow(first: int = 10) -> dict:
    """Fit BetaGeoFitter and GammaGammaFitter on the CDNOW calibration period (to 1997-09-30)
    and compute lifetimes' 12-month CLV (1 % a month, freq="W") per customer."""
    import lifetimes
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    warnings.simplefilter("ignore")
    transactions = pd.read_csv(
        CDNOW_TRANSACTIONS,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "value"],
        dtype={"date": str},
    )
    transactions["date"] = pd.to_datetime(transactions["date"], format="%Y%m%d")
    published = pd.read_csv(CDNOW_SUMMARY, index_col="ID")
    variants = {}
    for name, summary in _summaries(transactions).items():
        bgf = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
        repeaters = summary[summary["frequency"] > 0]
        ggf = GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])
        clv = ggf.customer_lifetime_value(
            bgf,
            summary["frequency"],
            summary["recency"],
            summary["T"],
            summary["monetary_value"],
            time=12,
            discount_rate=0.01,
            freq="W",
        )
        spend = ggf.conditional_expected_average_profit(
            summary["frequency"], summary["monetary_value"]
        )
        n = float(len(summary))
        sum_x = float(summary["frequency"].sum())
        bg_ll = -bgf._negative_log_likelihood_ * n - sum_x * np.log(summary["T"].max())
        gg_ll = -ggf._negative_log_likelihood_ * float(len(repeaters))
        aligned = summary.reindex(published.index)
        customers = []
        for cid in summary.index[:first]:
            row = summary.loc[cid]
            customers.append(
                {
                    "customer_id": int(cid),
                    "frequency": float(row["frequency"]),
                    "recency": float(row["recency"]),
                    "T": float(row["T"]),
                    "monetary_value": float(row["monetary_value"]),
                    "expected_spend": float(spend.loc[cid]),
                    "clv": float(clv.loc[cid]),
                }
            )
        variants[name] = {
            "customers": int(len(summary)),
            "repeat_customers": int(len(repeaters)),
            "sum_frequency": sum_x,
            "matches_published_summary": {
                "max_abs_diff_frequency": float(
                    (aligned["frequency"] - published["frequency"]).abs().max()
                ),
                "max_abs_diff_recency_2dp": float(
                    (aligned["recency"].round(2) - published["recency"]).abs().max()
                ),
                "max_abs_diff_T_2dp": float((aligned["T"].round(2) - published["T"]).abs().max()),
            },
            "bgnbd": {
                "params": {k: float(v) for k, v in bgf.params_.items()},
                "log_likelihood": float(bg_ll),
                "mean_negative_log_likelihood_lifetimes": float(bgf._negative_log_likelihood_),
            },
            "gammagamma": {
                "params": {k: float(v) for k, v in ggf.params_.items()},
                "log_likelihood": float(gg_ll),
                "fitted_on": "customers with frequency > 0",
            },
            "clv_first_customers": customers,
            "clv_total": float(clv.sum()),
            "clv_mean": float(clv.mean()),
        }
    return {
        "source": "lifetimes 0.11.3 run on tests/data/CDNOW_sample.txt "
        "(benchmarks/bench_models.py, worker cdnow)",
        "versions": {
            "lifetimes": lifetimes.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "python": platform.python_version(),
        },
        "call": {
            "summary": "summary_data_from_transaction_data(tx, 'customer_id', 'date', "
            "monetary_value_col='value', observation_period_end='1997-09-30', freq=...)",
            "fit": "BetaGeoFitter().fit(frequency, recency, T); GammaGammaFitter().fit("
            "frequency, monetary_value) on frequency > 0",
            "clv": "ggf.customer_lifetime_value(bgf, frequency, recency, T, monetary_value, "
            "time=12, discount_rate=0.01, freq='W')",
        },
        "clv_method": {
            "weeks_per_month": 4.345,
            "days_per_month": 30.415,
            "months": 12,
            "formula": "CLV = sum_{k=1..12} E[spend] * (E[Y(4.345 k)] - E[Y(4.345 (k-1))]) "
            "/ 1.01^k, E[Y(t)] = bgf.predict(t, x, t_x, T) (weeks), E[spend] = "
            "ggf.conditional_expected_average_profit(x, m) (m = 0 when x = 0: population mean)",
            "factors": {"W": 4.345, "M": 1.0, "D": 30, "H": 720},
        },
        "notes": {
            "weekly_periods": "freq='W': dates become calendar-week periods (Monday to Sunday); "
            "all purchases in the same week merge into one purchase whose value is their sum; "
            "recency and T are whole weeks between week starts; the observation end 1997-09-30 "
            "(a Tuesday) becomes its week's Monday 1997-09-29 and every purchase dated in that "
            "week — up to Sunday 1997-10-05 — is kept in the calibration period.",
            "days_over_7": "freq='D', freq_multiplier=7: same-day purchases merge into one "
            "(values summed), recency and T are days / 7; this reproduces "
            "tests/data/cdnow_customers_summary.csv and clvlib's rfm_summary(time_unit='W').",
            "monetary_value": "mean over repeat periods (the first period is left out) of the "
            "period's summed value; 0 for customers without a repeat purchase.",
        },
        "variants": variants,
    }


def _worker_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_models.py worker")
    parser.add_argument("task", choices=["bgnbd", "gammagamma", "paretonbd", "cdnow"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    if args.task == "cdnow":
        result = _worker_cdnow()
    else:
        result = _worker_fit(args.task, args.data, args.repeats)
    print(json.dumps(result))


def ensure_lifetimes_env() -> bool:
    """Create benchmarks/.venv-lifetimes when missing or made with other pins
    (``lifetimes_env.sh``, which returns at once when it is current); True when usable."""
    subprocess.run(["bash", str(ENV_SCRIPT)], check=True)
    return LIFETIMES_PYTHON.exists()


def run_lifetimes(
    task: str, path: Path | None = None, repeats: int = 1, time_limit: float | None = None
) -> dict:
    """Run the worker in the lifetimes virtualenv and return its JSON; with ``time_limit``
    (seconds of the whole worker: reading the file and every fit), a worker still running then
    is killed and the answer is ``{"times": [], "timed_out": time_limit, ...}``."""
    cmd = [str(LIFETIMES_PYTHON), str(Path(__file__).resolve()), "worker", task]
    if path is not None:
        cmd += ["--data", str(path), "--repeats", str(repeats)]
    # Unset the variables of the parent venv so lifetimes' interpreter sees only its own packages.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=time_limit
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the worker
        return {"model": task, "times": [], "error": None, "timed_out": time_limit}
    if proc.returncode != 0:
        raise RuntimeError(f"lifetimes worker {task} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- our side ----------------------------------------------------------------------------------


def _our_model(name: str):
    """(class, module) of our model, or None when the module does not exist yet."""
    import importlib

    module_name = f"clvlib.models.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    cls = {"bgnbd": "BGNBD", "gammagamma": "GammaGamma", "paretonbd": "ParetoNBD"}[name]
    return getattr(module, cls), module


def _our_data(name: str, rfm: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The arrays our ``_loglik_and_grad`` takes for the whole data set."""
    if name in ("bgnbd", "paretonbd"):
        from clvlib.models.base import compress

        return compress(rfm, ("frequency", "recency", "T"))
    keep = (rfm["frequency"] > 0) & (rfm["monetary_value"] > 0)
    data = rfm.loc[keep, ["frequency", "monetary_value"]].to_numpy(dtype="float64")
    return data, np.ones(len(data))


def our_loglik(name: str, cls, params: dict, data: np.ndarray, weights: np.ndarray) -> float:
    """Our total log-likelihood at ``params`` (a fresh instance: no cached state)."""
    vector = np.array([params[k] for k in cls.param_names], dtype=float)
    return float(cls()._loglik_and_grad(vector, data, weights)[0])


def time_ours(
    cls, rfm: pd.DataFrame, repeats: int, label: str, **options
) -> tuple[list[float], object]:
    """Best-of-``repeats`` timing of ``cls(**options).fit(rfm)``; returns the times and the
    last model (with the warnings its fits raised in ``_bench_warnings``)."""
    times, model = [], None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(repeats):
            start = time.perf_counter()
            model = cls(**options).fit(rfm)
            times.append(time.perf_counter() - start)
            log(f"{label}: clvlib fit {i + 1}/{repeats}: {times[-1]:.3f} s")
    model._bench_warnings = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return times, model


def profile_ours(cls, module, rfm: pd.DataFrame) -> dict:
    """One instrumented fit: time in the compress step, in likelihood evaluations by the
    optimiser and by the standard errors, and the rest (scipy and Python overhead)."""
    model = cls()
    prof = {"compress_s": 0.0, "evals": 0, "eval_s": 0.0, "se_evals": 0, "se_s": 0.0}
    in_se = [False]
    inner = model._loglik_and_grad

    def counted(*args, **kwargs):
        start = time.perf_counter()
        out = inner(*args, **kwargs)
        elapsed = time.perf_counter() - start
        key = "se_" if in_se[0] else ""
        prof[key + "evals"] += 1
        if not in_se[0]:
            prof["eval_s"] += elapsed
        return out

    model._loglik_and_grad = counted
    if hasattr(model, "_standard_errors"):
        inner_se = model._standard_errors

        def timed_se(*args, **kwargs):
            in_se[0] = True
            start = time.perf_counter()
            try:
                return inner_se(*args, **kwargs)
            finally:
                prof["se_s"] += time.perf_counter() - start
                in_se[0] = False

        model._standard_errors = timed_se
    original = getattr(module, "compress", None)
    if original is not None:

        def timed_compress(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                prof["compress_s"] += time.perf_counter() - start

        module.compress = timed_compress
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            model.fit(rfm)
            prof["total_s"] = time.perf_counter() - start
    finally:
        if original is not None:
            module.compress = original
    prof["other_s"] = prof["total_s"] - prof["compress_s"] - prof["eval_s"] - prof["se_s"]
    prof["ms_per_eval"] = 1e3 * prof["eval_s"] / max(prof["evals"], 1)
    return prof


# -- the benchmark -----------------------------------------------------------------------------


def machine_facts() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    try:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "n/a"
    import scipy

    import clvlib

    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": nproc,
        "cpu": cpu,
        "load_at_start": load,
        "python": platform.python_version(),
        "ours": f"clvlib {getattr(clvlib, '__version__', '?')}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, pandas {pd.__version__}",
    }


def bench_one(
    name: str, n: int, rfm: pd.DataFrame, path: Path, *, repeats: int, lt_repeats: int, lifetimes
) -> dict | None:
    label = f"{'BG/NBD' if name == 'bgnbd' else 'Gamma-Gamma'} {n:,}"
    found = _our_model(name)
    if found is None:
        log(f"{label}: skipped (clvlib/models/{name}.py does not exist yet)")
        return None
    cls, module = found
    row = {"model": name, "customers": n}
    times, model = time_ours(cls, rfm, repeats, label)
    data, weights = _our_data(name, rfm)
    row.update(
        ours_best_s=min(times),
        ours_times=times,
        ours_params=dict(model.params_),
        ours_ll=our_loglik(name, cls, model.params_, data, weights),
        ours_ll_reported=float(model.log_likelihood_),
        unique_rows=len(data),
        rows=int(weights.sum()),
        warnings=model._bench_warnings,
    )
    if lifetimes:
        log(f"{label}: lifetimes fit x{lt_repeats} (its own process) ...")
        lt = run_lifetimes(name, path, lt_repeats)
        row["lifetimes"] = lt
        if lt.get("error"):
            log(f"{label}: lifetimes failed: {lt['error']}")
        if lt["times"]:
            row["lt_best_s"] = min(lt["times"])
            row["speedup"] = row["lt_best_s"] / row["ours_best_s"]
            log(f"{label}: lifetimes {', '.join(f'{t:.2f}' for t in lt['times'])} s")
        if "params" in lt:
            row["lt_ll"] = our_loglik(name, cls, lt["params"], data, weights)
            row["rel_ll_diff"] = (row["ours_ll"] - row["lt_ll"]) / abs(row["ours_ll"])
            nll = lt["mean_negative_log_likelihood"]
            if name == "bgnbd":
                sum_x = float(rfm["frequency"].sum())
                row["lt_ll_own"] = -nll * n + sum_x * np.log(lt["time_scale"])
            else:
                row["lt_ll_own"] = -nll * lt["rows"]
    return row


def _fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def render(
    rows: list[dict],
    facts: dict,
    notes: list[str],
    profiles: dict,
    extra: list[str] | None = None,
) -> str:
    lines = [
        "# Model-fitting benchmark: clvlib vs lifetimes 0.11.3",
        "",
        f"Run {facts['date']} on {facts['nproc']} cores ({facts['cpu']}), load average at start "
        f"{facts['load_at_start']} (the machine is shared: timings vary). Python "
        f"{facts['python']}; {facts['ours']}; lifetimes side: {facts.get('lifetimes', 'not run')}."
        " Command: `python -m benchmarks` (`make bench`).",
        "",
        "Simulated customers (seeded): BG/NBD r = 0.243, α = 4.414, a = 0.793, b = 2.426 "
        "(weeks), Gamma-Gamma p = 6.25, q = 3.74, v = 15.44 (dollars); times in weeks at a "
        "one-day resolution, T from 26 to 78 weeks. Wall-clock seconds of the fit call alone. "
        "LL = total log-likelihood of each optimum evaluated by clvlib's likelihood on the same "
        "data; rel. ΔLL = (ours − lifetimes) / |ours| (positive: ours is higher).",
        "",
        "| model | customers | unique rows | clvlib (s, best of k) | lifetimes (s) | speed-up "
        "| LL clvlib | LL lifetimes | rel. ΔLL | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        model = "BG/NBD" if row["model"] == "bgnbd" else "Gamma-Gamma"
        lt = row.get("lifetimes", {})
        lt_runs = len(lt.get("times", []))
        lt_time = (
            f"{_fmt_s(row['lt_best_s'])} ({'best of ' + str(lt_runs) if lt_runs > 1 else 'once'})"
            if "lt_best_s" in row
            else ("failed" if lt.get("error") else "—")
        )
        speed = f"{row['speedup']:.1f}×" if "speedup" in row else "—"
        lt_ll = f"{row['lt_ll']:,.3f}" if "lt_ll" in row else "—"
        rel = f"{row['rel_ll_diff']:.1e}" if "rel_ll_diff" in row else "—"
        target = "—"
        if row["model"] == "bgnbd" and row["customers"] >= 1_000_000:
            checks = [("≤ 1 s", row["ours_best_s"] <= TARGET_SECONDS)]
            if "speedup" in row:  # lifetimes finished
                checks += [
                    ("≥ 10×", row["speedup"] >= TARGET_SPEEDUP),
                    ("ΔLL ≤ 1e-6", abs(row.get("rel_ll_diff", np.inf)) <= TARGET_REL_LL),
                ]
            target = ", ".join(f"{c} {'met' if ok else 'MISSED'}" for c, ok in checks)
        elif "rel_ll_diff" in row:
            ok = abs(row["rel_ll_diff"]) <= TARGET_REL_LL
            target = f"ΔLL ≤ 1e-6 {'met' if ok else 'MISSED'}"
        lines.append(
            f"| {model} | {row['customers']:,} | {row['unique_rows']:,} | "
            f"{_fmt_s(row['ours_best_s'])} (k={len(row['ours_times'])}) | {lt_time} | {speed} | "
            f"{row['ours_ll']:,.3f} | {lt_ll} | {rel} | {target} |"
        )
    lines += [
        "",
        "## Estimates",
        "",
        "| model | customers | parameter | truth | clvlib | lifetimes |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        truth = TRUE_BGNBD if row["model"] == "bgnbd" else TRUE_GAMMAGAMMA
        lt_params = row.get("lifetimes", {}).get("params", {})
        for k, v in row["ours_params"].items():
            lt_v = f"{lt_params[k]:.6g}" if k in lt_params else "—"
            lines.append(
                f"| {row['model']} | {row['customers']:,} | {k} | {truth.get(k, float('nan')):g} "
                f"| {v:.6g} | {lt_v} |"
            )
    if any("lt_ll_own" in row for row in rows):
        lines += [
            "",
            "lifetimes' own reported value, converted to a total on the original time scale "
            "(`-n · _negative_log_likelihood_ - Σx · ln(max T)` for BG/NBD, whose fit rescales "
            "time by 1 / max T; `-n · _negative_log_likelihood_` for Gamma-Gamma): "
            + "; ".join(
                f"{row['model']} {row['customers']:,}: {row['lt_ll_own']:,.3f}"
                for row in rows
                if "lt_ll_own" in row
            )
            + ".",
        ]
    if profiles:
        lines += [
            "",
            "## Where clvlib's time goes (one instrumented fit)",
            "",
            "| model | customers | total (s) | compress (s) | optimiser: evaluations | "
            "ms / evaluation | optimiser likelihood (s) | standard errors (s, evaluations) "
            "| other (s) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for (name, n), p in profiles.items():
            lines.append(
                f"| {name} | {n:,} | {p['total_s']:.3f} | {p['compress_s']:.3f} | {p['evals']} "
                f"| {p['ms_per_eval']:.1f} | {p['eval_s']:.3f} | {p['se_s']:.3f} "
                f"({p['se_evals']}) | {p['other_s']:.3f} |"
            )
    lines += extra or []
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def run(
    sizes: list[int],
    *,
    repeats: int = 3,
    lt_repeats_small: int = 3,
    lt_repeats_large: int = 1,
    large: int = 1_000_000,
    lifetimes: bool = True,
    profile: bool = True,
    out: Path | None = None,
    pareto_sizes: list[int] | None = None,
    covariate_sizes: list[int] | None = None,
    lt_time_limit: float = LIFETIMES_TIME_LIMIT,
) -> str:
    """Run the benchmark over ``sizes`` (BG/NBD, Gamma-Gamma), ``pareto_sizes`` (Pareto/NBD in
    both worlds) and ``covariate_sizes`` (covariate fits) and return (and optionally write) the
    Markdown report."""
    facts = machine_facts()
    notes: list[str] = []
    if lifetimes:
        lifetimes = ensure_lifetimes_env()
    if not lifetimes:
        notes.append("lifetimes was not run (--no-lifetimes or no virtualenv).")
    rows, profiles = [], {}
    for n in sizes:
        path = data_file(n)
        rfm = to_rfm(pd.read_csv(path))
        for name in ("bgnbd", "gammagamma"):
            lt_repeats = lt_repeats_large if n >= large else lt_repeats_small
            row = bench_one(
                name, n, rfm, path, repeats=repeats, lt_repeats=lt_repeats, lifetimes=lifetimes
            )
            if row is None:
                note = f"Gamma-Gamma skipped: clvlib/models/{name}.py does not exist yet."
                if note not in notes:
                    notes.append(note)
                continue
            rows.append(row)
            if "lifetimes" in row:
                v = row["lifetimes"]["versions"]
                facts["lifetimes"] = (
                    f"lifetimes {v['lifetimes']}, numpy {v['numpy']}, pandas {v['pandas']}, "
                    f"Python {v['python']}"
                )
                if row["lifetimes"].get("error"):
                    notes.append(f"lifetimes {name} {n:,}: {row['lifetimes']['error']}")
            for w in row["warnings"]:
                notes.append(f"clvlib {name} {n:,}: {w}")
            if profile and name == "bgnbd" and n == max(sizes):
                log(f"BG/NBD {n:,}: instrumented fit (compress / optimiser / standard errors)")
                found = _our_model(name)
                profiles[(name, n)] = profile_ours(found[0], found[1], rfm)
    if lifetimes and any(r["customers"] >= large and "lifetimes" in r for r in rows):
        notes.append(
            f"lifetimes is timed once at {large:,} customers (a BG/NBD fit there takes tens of "
            "seconds; its fit always includes its autograd Hessian); best of "
            f"{lt_repeats_small} below that."
        )
    extra: list[str] = []
    pareto_rows = [
        bench_pareto(world, n, repeats=repeats, lifetimes=lifetimes, time_limit=lt_time_limit)
        for n in pareto_sizes or []
        for world in PARETO_WORLDS
    ]
    if pareto_rows:
        extra += render_pareto(pareto_rows, lt_time_limit)
    covariate_rows = [
        bench_covariates(name, n, repeats=repeats)
        for n in covariate_sizes or []
        for name in ("bgnbd", "paretonbd")
    ]
    if covariate_rows:
        extra += render_covariates(covariate_rows)
    for row in pareto_rows + covariate_rows:
        label = row.get("world") or row.get("model")
        notes += [f"clvlib {label} {row['customers']:,}: {w}" for w in row["warnings"]]
    facts["load_at_end"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    notes.append(
        "clvlib's fit includes compressing to unique rows, all of its starts (BaseFitter "
        "n_starts) and the Hessian standard errors; lifetimes' fit includes its Hessian "
        "(BG/NBD; its Pareto/NBD computes none)."
    )
    notes.append(
        f"Load average (1, 5, 15 min) at the start {facts['load_at_start']}, at the end "
        f"{facts['load_at_end']} on {facts['nproc']} cores: above ~1 another process shared "
        "the cores and the times are that much longer."
    )
    report = render(rows, facts, notes, profiles, extra)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report)
        log(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return report


# -- Pareto/NBD in two worlds, and covariate models (issue 18) ---------------------------------

#: Pareto/NBD CDNOW estimates (Fader, Hardie & Lee 2005, weeks): the drop-out world; the
#: no-drop-out world keeps r, α and sets μ = 0 (NBD purchases: nobody leaves, the case that
#: sends β → ∞ and made the hypergeometric series slow).
TRUE_PARETO = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}
PARETO_WORLDS = ("dropout", "no_dropout")
#: Covariate worlds (CLVTools' parametrisation): a 6-level acquisition channel (reference
#: "ads") and a 0/1 loyalty flag in both blocks. Pareto/NBD α_i = α e^(−γ_transᵀx),
#: β_i = β e^(−γ_lifeᵀx); BG/NBD α_i = α e^(−γ_transᵀx), a_i = a e^(γ_lifeᵀx), b_i = b e^(γ_lifeᵀx).
CHANNELS = ("ads", "direct", "email", "organic", "referral", "social")
CHANNEL_SHARES = (0.30, 0.20, 0.15, 0.15, 0.10, 0.10)
LOYALTY_SHARE = 0.3
TRANS_EFFECTS = {"direct": 0.3, "email": 0.2, "organic": -0.1, "referral": 0.4,
                 "social": -0.3, "loyalty": 0.5}  # fmt: skip
LIFE_EFFECTS_PARETO = {"direct": -0.3, "email": 0.2, "organic": -0.2, "referral": -0.5,
                       "social": 0.4, "loyalty": -0.6}  # fmt: skip
LIFE_EFFECTS_BGNBD = {"direct": -0.3, "email": 0.2, "organic": 0.1, "referral": 0.5,
                      "social": -0.4, "loyalty": 0.6}  # fmt: skip
COVARIATES = {"trans_covariates": ["channel", "loyalty"], "life_covariates": ["channel", "loyalty"]}


def _days(first_day: np.ndarray, last_weeks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(recency_days, T_days) in whole days, as the BG/NBD simulation stores them."""
    return np.floor(last_weeks * 7.0).astype(np.int64), OBSERVATION_DAYS - first_day


def simulate_pareto(n: int, world: str, seed: int = SEED) -> pd.DataFrame:
    """``n`` Pareto/NBD customers (``TRUE_PARETO``; ``world`` "no_dropout": μ = 0): first
    purchases over 52 weeks, observation to week 78, λ ~ Gamma(r, α), μ ~ Gamma(s, β), lifetime
    ~ Exp(μ); the x purchases before min(lifetime, T) are Poisson, the last at that time times
    the largest of x uniforms. Columns as ``simulate_customers`` (no spend)."""
    rng = np.random.default_rng(seed)
    r, alpha, s, beta = (TRUE_PARETO[k] for k in ("r", "alpha", "s", "beta"))
    first_day = rng.integers(0, ACQUISITION_DAYS, n)
    horizon = (OBSERVATION_DAYS - first_day) / 7.0
    lam = rng.gamma(r, 1.0 / alpha, n)
    if world == "dropout":
        end = np.minimum(horizon, rng.exponential(1.0, n) / rng.gamma(s, 1.0 / beta, n))
    else:
        end = horizon
    x = rng.poisson(lam * end)
    last = np.where(x > 0, end * rng.random(n) ** (1.0 / np.maximum(x, 1)), 0.0)
    recency_days, t_days = _days(first_day, last)
    return pd.DataFrame(
        {"customer_id": np.arange(1, n + 1), "frequency": x, "recency_days": recency_days,
         "T_days": t_days, "monetary_cents": 0}
    )  # fmt: skip


def simulate_covariate_world(n: int, model: str, seed: int = SEED) -> pd.DataFrame:
    """``n`` customers with a channel and a loyalty flag whose rates follow CLVTools'
    parametrisation (see ``CHANNELS``): ``model`` "bgnbd" (``TRUE_BGNBD`` for the reference
    customer, BG/NBD drop-out after each purchase) or "paretonbd" (``TRUE_PARETO``)."""
    rng = np.random.default_rng(seed)
    channel = rng.choice(np.array(CHANNELS), n, p=CHANNEL_SHARES)
    loyalty = (rng.random(n) < LOYALTY_SHARE).astype(np.int64)
    life_effects = LIFE_EFFECTS_BGNBD if model == "bgnbd" else LIFE_EFFECTS_PARETO

    def linear(effects: dict) -> np.ndarray:
        eta = effects["loyalty"] * loyalty
        for level in CHANNELS[1:]:
            eta = eta + effects[level] * (channel == level)
        return eta

    eta_trans, eta_life = linear(TRANS_EFFECTS), linear(life_effects)
    first_day = rng.integers(0, ACQUISITION_DAYS, n)
    horizon = (OBSERVATION_DAYS - first_day) / 7.0
    truth = TRUE_BGNBD if model == "bgnbd" else TRUE_PARETO
    lam = rng.gamma(truth["r"], 1.0 / (truth["alpha"] * np.exp(-eta_trans)))
    if model == "bgnbd":
        p_drop = rng.beta(truth["a"] * np.exp(eta_life), truth["b"] * np.exp(eta_life))
        x, last = bgnbd_purchases(lam, p_drop, horizon, rng)
    else:
        mu = rng.gamma(truth["s"], 1.0 / (truth["beta"] * np.exp(-eta_life)))
        end = np.minimum(horizon, rng.exponential(1.0, n) / mu)
        x = rng.poisson(lam * end)
        last = np.where(x > 0, end * rng.random(n) ** (1.0 / np.maximum(x, 1)), 0.0)
    recency_days, t_days = _days(first_day, last)
    return pd.DataFrame(
        {"customer_id": np.arange(1, n + 1), "frequency": x, "recency_days": recency_days,
         "T_days": t_days, "monetary_cents": 0, "channel": channel, "loyalty": loyalty}
    )  # fmt: skip


def world_file(kind: str, n: int, seed: int = SEED) -> Path:
    """The simulated customers of ``kind`` ("pareto_dropout", "pareto_no_dropout",
    "covariates_bgnbd", "covariates_paretonbd"), written once as CSV; returns the path."""
    path = DATA_DIR / f"{kind}_{n}_seed{seed}_v{DATA_VERSION}.csv"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        log(f"simulating {n:,} customers ({kind}, seed {seed}) -> {path.relative_to(ROOT)}")
        family, world = kind.split("_", 1)
        if family == "pareto":
            raw = simulate_pareto(n, world, seed)
        else:
            raw = simulate_covariate_world(n, world, seed)
        tmp = path.with_suffix(".tmp")
        raw.to_csv(tmp, index=False)
        tmp.replace(path)
    return path


def bench_pareto(world: str, n: int, *, repeats: int, lifetimes: bool, time_limit: float) -> dict:
    """clvlib's ParetoNBD against lifetimes' ParetoNBDFitter (stopped after ``time_limit``
    seconds) on one simulated world; both optima's LL by clvlib's likelihood."""
    from clvlib.models.paretonbd import ParetoNBD

    path = world_file(f"pareto_{world}", n)
    rfm = to_rfm(pd.read_csv(path))
    label = f"Pareto/NBD {world} {n:,}"
    times, model = time_ours(ParetoNBD, rfm, repeats, label)
    data, weights = _our_data("paretonbd", rfm)
    row = {
        "world": world, "customers": n, "unique_rows": len(data), "ours_times": times,
        "ours_best_s": min(times), "ours_params": dict(model.params_),
        "ours_ll": our_loglik("paretonbd", ParetoNBD, model.params_, data, weights),
        "converged": bool(model.converged_), "warnings": model._bench_warnings,
    }  # fmt: skip
    if world == "no_dropout":
        row["nbd_ll"] = nbd_max_loglik(data, weights)
    if lifetimes:
        log(f"{label}: lifetimes ParetoNBDFitter (its own process, limit {time_limit:.0f} s) ...")
        start = time.perf_counter()
        lt = run_lifetimes("paretonbd", path, 1, time_limit=time_limit)
        row["lifetimes"] = lt
        log(f"{label}: lifetimes done after {time.perf_counter() - start:.0f} s: "
            f"{lt.get('times') or lt.get('error') or 'timed out'}")  # fmt: skip
        if lt["times"]:
            row["lt_best_s"] = min(lt["times"])
            row["speedup"] = row["lt_best_s"] / row["ours_best_s"]
        if "params" in lt:
            row["lt_ll"] = our_loglik("paretonbd", ParetoNBD, lt["params"], data, weights)
            row["rel_ll_diff"] = (row["ours_ll"] - row["lt_ll"]) / abs(row["ours_ll"])
            # lifetimes minimises Σ −ℓ_i / mean(weights) (= the sum: unit weights) on times
            # scaled by 1 / max T; back on weeks each purchase's density gains ln(scale)
            sum_x = float(rfm["frequency"].sum())
            row["lt_ll_own"] = -lt["mean_negative_log_likelihood"] + sum_x * np.log(
                lt["time_scale"]
            )
    return row


def nbd_max_loglik(data: np.ndarray, weights: np.ndarray) -> float:
    """The NBD model's maximised LL on Pareto/NBD data rows (x, t_x, T): the Pareto/NBD's
    limit without drop-out (s/β → 0), Σ w [log Γ(r+x) − log Γ(r) + r log α − (r+x) log(α+T)],
    maximised by scipy's Nelder-Mead over log r, log α — an independent reference for the
    no-drop-out world, whose Pareto/NBD maximum must be at least this."""
    from scipy import optimize, special

    x, T = data[:, 0], data[:, 2]

    def negative(log_params: np.ndarray) -> float:
        r, alpha = np.exp(log_params)
        terms = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        return -float(np.dot(weights, terms - (r + x) * np.log(alpha + T)))

    result = optimize.minimize(
        negative, np.log([0.5, 10.0]), method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 4000},
    )  # fmt: skip
    return -float(result.fun)


def bench_covariates(model_name: str, n: int, *, repeats: int) -> dict:
    """The same customers fitted without and with covariates (6-level channel + loyalty in
    both blocks): best-of-``repeats`` times, their ratio, LLs and the LR statistic. The
    covariate fit includes its plain fit (``pooled_``, the start and the LR test's null)."""
    found = _our_model(model_name)
    cls = found[0]
    path = world_file(f"covariates_{model_name}", n)
    raw = pd.read_csv(path)
    rfm = to_rfm(raw).assign(channel=raw["channel"].to_numpy(), loyalty=raw["loyalty"].to_numpy())
    label = f"{model_name} covariates {n:,}"
    plain_times, plain = time_ours(cls, rfm, repeats, label + " (plain)")
    cov_times, cov = time_ours(cls, rfm, repeats, label + " (covariates)", **COVARIATES)
    life = LIFE_EFFECTS_BGNBD if model_name == "bgnbd" else LIFE_EFFECTS_PARETO
    truth = dict(TRUE_BGNBD if model_name == "bgnbd" else TRUE_PARETO)
    for block, effects in (("trans", TRANS_EFFECTS), ("life", life)):
        for key, value in effects.items():
            truth[f"{block}.{key}" if key == "loyalty" else f"{block}.channel.{key}"] = value
    return {
        "model": model_name, "customers": n, "plain_times": plain_times,
        "cov_times": cov_times, "plain_best_s": min(plain_times), "cov_best_s": min(cov_times),
        "ratio": min(cov_times) / min(plain_times), "plain_ll": plain.log_likelihood_,
        "cov_ll": cov.log_likelihood_, "lr": cov.lr_test_, "converged": bool(cov.converged_),
        "params": dict(cov.params_), "se": dict(cov.standard_errors_), "truth": truth,
        "warnings": plain._bench_warnings + cov._bench_warnings,
    }  # fmt: skip


def render_pareto(rows: list[dict], time_limit: float) -> list[str]:
    lines = [
        "",
        "## Pareto/NBD in a drop-out and a no-drop-out world",
        "",
        f"Simulated customers (seeded): Pareto/NBD r = {TRUE_PARETO['r']}, α = "
        f"{TRUE_PARETO['alpha']}, s = {TRUE_PARETO['s']}, β = {TRUE_PARETO['beta']} (weeks; "
        "Fader, Hardie & Lee's CDNOW estimates) — the *drop-out* world; the *no-drop-out* world "
        "has the same purchases and μ = 0 (nobody leaves: the maximum lies near s/β → 0, where the "
        "hypergeometric series was slow). Same "
        "calendar as above (T 26–78 weeks, whole days). clvlib `ParetoNBD().fit(rfm)` against "
        "lifetimes `ParetoNBDFitter().fit(frequency, recency, T)` (Nelder-Mead, no Hessian), "
        f"which is stopped after {time_limit:.0f} s. LL of both optima by clvlib's likelihood.",
        "",
        "| world | customers | unique rows | clvlib (s, best of k) | lifetimes (s) | speed-up "
        "| LL clvlib | LL lifetimes | rel. ΔLL | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lt = row.get("lifetimes", {})
        if "lt_best_s" in row:
            lt_time = f"{_fmt_s(row['lt_best_s'])} (once)"
        elif lt.get("timed_out"):
            lt_time = f"did not finish in {lt['timed_out']:.0f} s"
        else:
            lt_time = "failed" if lt.get("error") else "—"
        target = "—"
        if row["customers"] >= 1_000_000:
            ok = row["ours_best_s"] <= TARGET_PARETO_SECONDS
            target = f"≤ {TARGET_PARETO_SECONDS:g} s {'met' if ok else 'MISSED'}"
        speed = f"{row['speedup']:.0f}×" if "speedup" in row else "—"
        lt_ll = f"{row['lt_ll']:,.3f}" if "lt_ll" in row else "—"
        rel = f"{row['rel_ll_diff']:.1e}" if "rel_ll_diff" in row else "—"
        lines.append(
            f"| {row['world']} | {row['customers']:,} | {row['unique_rows']:,} | "
            f"{_fmt_s(row['ours_best_s'])} (k={len(row['ours_times'])}) | {lt_time} | {speed} | "
            f"{row['ours_ll']:,.3f} | {lt_ll} | {rel} | {target} |"
        )
    lines += ["", "| world | customers | parameter | truth | clvlib | lifetimes |",
              "|---|---:|---|---:|---:|---:|"]  # fmt: skip
    for row in rows:
        lt_params = row.get("lifetimes", {}).get("params", {})
        for k, v in row["ours_params"].items():
            truth = TRUE_PARETO[k] if row["world"] == "dropout" or k in ("r", "alpha") else None
            lt_v = f"{lt_params[k]:.6g}" if k in lt_params else "—"
            lines.append(
                f"| {row['world']} | {row['customers']:,} | {k} | "
                f"{'—' if truth is None else f'{truth:g}'} | {v:.6g} | {lt_v} |"
            )
    for row in rows:
        if "nbd_ll" in row:
            lines += [
                "",
                f"No-drop-out world, {row['customers']:,} customers: the NBD model's maximum "
                f"(the Pareto/NBD's limit s/β → 0; closed form, scipy) is LL "
                f"{row['nbd_ll']:,.3f}; clvlib's Pareto/NBD maximum is "
                f"{row['ours_ll'] - row['nbd_ll']:+.3f} from it (≥ 0: at least the limit, "
                "higher where the sample's own maximum has a little drop-out).",
            ]
    own = [r for r in rows if "lt_ll_own" in r]
    if own:
        lines += ["", "lifetimes' own value, `−_negative_log_likelihood_ + Σx · ln(scale)` "
                  "(its fit sums −ℓ on times scaled by 1 / max T): " + "; ".join(
                      f"{r['world']} {r['customers']:,}: {r['lt_ll_own']:,.3f}" for r in own
                  ) + "."]  # fmt: skip
    return lines


def render_covariates(rows: list[dict]) -> list[str]:
    lines = [
        "",
        "## Covariate fits against the same model without covariates",
        "",
        "Simulated customers (seeded) in CLVTools' parametrisation with a 6-level acquisition "
        f"channel ({', '.join(CHANNELS)}; reference {CHANNELS[0]}) and a 0/1 loyalty flag in "
        "both blocks (10 coefficients); the reference customer has the BG/NBD / Pareto/NBD "
        "parameters above. `Model(trans_covariates=['channel', 'loyalty'], life_covariates="
        "['channel', 'loyalty']).fit(rfm)` — which fits the plain model first (its start, and "
        "the LR test's null) — against `Model().fit(rfm)` on the same customers.",
        "",
        "| model | customers | plain (s) | covariates (s) | ratio | LL plain | LL covariates "
        "| LR statistic (df) | converged |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        name = "BG/NBD" if row["model"] == "bgnbd" else "Pareto/NBD"
        lines.append(
            f"| {name} | {row['customers']:,} | {_fmt_s(row['plain_best_s'])} "
            f"(k={len(row['plain_times'])}) | {_fmt_s(row['cov_best_s'])} "
            f"(k={len(row['cov_times'])}) | {row['ratio']:.1f} | {row['plain_ll']:,.3f} | "
            f"{row['cov_ll']:,.3f} | {row['lr']['statistic']:,.1f} ({row['lr']['df']}) | "
            f"{'yes' if row['converged'] else 'NO'} |"
        )
    lines += [
        "",
        "| model | customers | parameter | truth | estimate | SE | (estimate − truth) / SE |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        for k, v in row["params"].items():
            truth, se = row["truth"].get(k), row["se"].get(k, float("nan"))
            z = "—" if truth is None else f"{(v - truth) / se:+.2f}"
            lines.append(
                f"| {row['model']} | {row['customers']:,} | {k} | "
                f"{'—' if truth is None else f'{truth:g}'} | {v:.6g} | {se:.3g} | {z} |"
            )
    return lines


def cdnow_reference(out: Path) -> dict:
    """Run lifetimes on CDNOW and write its fitted parameters and 12-month CLV to ``out``."""
    ensure_lifetimes_env()
    log("CDNOW: lifetimes BetaGeoFitter + GammaGammaFitter + customer_lifetime_value ...")
    result = run_lifetimes("cdnow")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    log(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        _worker_main(sys.argv[2:])
    else:
        sys.exit("run `python -m benchmarks`; this file runs directly only as the lifetimes worker")
