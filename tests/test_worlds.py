"""The space of clients (clvlib.data.worlds): seeded, every knob honoured in the files, and every
drawn client read by the loader with its rows reconciled.

The exports are read with pandas here, independently of clvlib's loader, in the dialect the world
says; the last tests then pass 20 drawn clients through ``clv-audit validate`` and the loader.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import integrate, stats
from scipy.special import hyp2f1

from clvlib.cli import main
from clvlib.config import default_holdout_weeks, load_config
from clvlib.data.load import load_tables
from clvlib.data.worlds import (
    DIRECT,
    FREE_NAMES,
    FUNNEL_STEPS,
    HEADERS,
    OPTIONAL_TABLES,
    PAID_NAMES,
    REP_NAMES,
    SINGLE_NAMES,
    World,
    sample_world,
    simulate_new_customer_value,
    write_client,
)
from clvlib.i18n import normalize_locale

WINDOW_END = pd.Timestamp("2026-01-01")  # the instant the window closes
CLEAN = {"dirty_rows": False, "returns_share": 0.0}  # no rows to tell apart in pandas
CART_WORDS = ("cart", "koszyk", "warenkorb", "basket")


def write(tmp_path: Path, world: World) -> tuple[Path, dict, dict]:
    """Write ``world``; return its folder, its client.yml (parsed) and its ground truth."""
    config = write_client(world, tmp_path / f"w{world.seed}")
    truth = json.loads((config.parent / "ground_truth.json").read_text(encoding="utf-8"))
    return config.parent, yaml.safe_load(config.read_text(encoding="utf-8")), truth


def read(folder: Path, world: World, table: str) -> pd.DataFrame:
    """An export as text, with canonical column names."""
    sep, enc = (";", "cp1250") if world.csv_dialect == "pl" else (",", "utf-8")
    frame = pd.read_csv(
        folder / f"{table}.csv", sep=sep, encoding=enc, dtype=str, keep_default_na=False
    )
    back = {v: k for k, v in HEADERS[world.csv_dialect].items()}
    return frame.rename(columns=back)


def stamps(world: World, text: pd.Series) -> pd.Series:
    fmt = "%d.%m.%Y %H:%M" if world.csv_dialect == "pl" else "%Y-%m-%d %H:%M:%S"
    return pd.to_datetime(text, format=fmt)


# -- the space ------------------------------------------------------------------------------------
def test_same_world_gives_identical_bytes_and_another_seed_differs(tmp_path):
    world = sample_world(3, customers=300, optional_tables=OPTIONAL_TABLES, channel_effects=True)
    a = write_client(world, tmp_path / "a").parent
    b = write_client(world, tmp_path / "b").parent
    c = write_client(sample_world(4, **{k: v for k, v in world.knobs().items()
                                       if k != "seed"}), tmp_path / "c").parent  # fmt: skip
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert {"client.yml", "ground_truth.json", "transactions.csv"} <= set(names)
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "transactions.csv").read_bytes() != (c / "transactions.csv").read_bytes()


def test_sample_world_is_seeded_in_range_and_takes_overrides():
    assert sample_world(7) == sample_world(7)
    worlds = [sample_world(s) for s in range(60)]
    assert all(30 <= w.customers <= 1500 and 6 <= w.history_months <= 60 for w in worlds)
    for knob in ("behaviour", "spend_response", "step_language", "csv_dialect", "currency",
                 "cart_step", "order_lines", "rep_effect", "channel_effects"):  # fmt: skip
        assert len({getattr(w, knob) for w in worlds}) > 1, knob  # the space is explored
    fixed = sample_world(7, behaviour="one_time", customers=30)
    assert (fixed.behaviour, fixed.customers) == ("one_time", 30)
    assert fixed.locale == sample_world(7).locale  # other knobs keep their draw
    regions = {w.locale for w in worlds}
    assert {"pl", "pl_PL", "en_GB", "en_US"} <= regions and regions & {"de_DE", "cs_CZ", "fr_FR"}
    assert all(normalize_locale(r) == r for r in regions)  # each a CLDR locale client.yml takes
    with pytest.raises(TypeError, match="unknown"):
        sample_world(7, colour="red")
    with pytest.raises(ValueError, match="behaviour"):
        World(behaviour="churny")


def test_auto_holdout_is_a_third_of_a_short_history_at_most_26_weeks_and_none_below_16():
    """``holdout_weeks: auto`` without a strong season (``config.default_holdout_weeks``): the
    rule ``clv-audit init`` always proposed; every world's client.yml says auto."""
    assert default_holdout_weeks(15.9) == 0 and default_holdout_weeks(16) == 5
    assert default_holdout_weeks(39) == 13  # 9 months: a third
    assert default_holdout_weeks(77.9) == 25 and default_holdout_weeks(78) == 26
    assert default_holdout_weeks(260) == 26


def test_generation_is_fast():
    world = World(customers=1500, history_months=36, channels=8, seed=5)
    start = time.perf_counter()
    write_client(world, Path(__import__("tempfile").mkdtemp(prefix="worlds-speed-")))
    assert time.perf_counter() - start < 2.0


def test_names_need_no_quoting_and_fit_cp1250():
    """The exports are written unquoted: no name may hold a separator, a quote or a line break."""
    names = [*PAID_NAMES, *FREE_NAMES, *SINGLE_NAMES, *DIRECT.values(), *REP_NAMES]
    names += [step for pair in FUNNEL_STEPS.values() for steps in pair for step in steps]
    names += [header for headers in HEADERS.values() for header in headers.values()]
    for name in names:
        assert not set(name) & set(';,"\r\n'), name
        name.encode("cp1250")


# -- behaviour ------------------------------------------------------------------------------------
def test_one_time_buyers_never_buy_twice(tmp_path):
    world = World(behaviour="one_time", customers=200, seed=1, **CLEAN)
    folder, _, truth = write(tmp_path, world)
    lines = read(folder, world, "transactions")
    orders = lines.groupby("customer_id")["order_id"].nunique()
    assert len(orders) == 200 and (orders == 1).all()
    assert truth["btyd"]["r"] is None and truth["orders"]["repeat_purchases"] == 0


def test_no_dropout_customers_keep_buying(tmp_path):
    world = World(behaviour="no_dropout", customers=400, history_months=24, seed=2,
                  csv_dialect="en", **CLEAN)  # fmt: skip
    folder, _, truth = write(tmp_path, world)
    assert truth["btyd"]["a"] == 0.0
    assert truth["orders"]["customers_alive_at_end"] == 400
    lines = read(folder, world, "transactions")
    span = stamps(world, lines["order_ts"]).groupby(lines["customer_id"]).agg(["min", "max"])
    old = span[span["min"] < WINDOW_END - pd.Timedelta(weeks=52)]
    assert len(old) > 100
    # alive NBD customers buy in 26 weeks with probability 1 - (alpha / (alpha + 26))^r
    r, alpha = truth["btyd"]["r"], truth["btyd"]["alpha"]
    expected = 1 - (alpha / (alpha + 26)) ** r
    observed = (old["max"] >= WINDOW_END - pd.Timedelta(weeks=26)).mean()
    assert expected > 0.75 and observed == pytest.approx(expected, abs=0.08)


def test_seasonal_loyal_wholesaler_hardly_loses_anyone(tmp_path):
    """Issue 17's B2B wholesaler: p ~ Beta(1, 800) per repeat purchase, so with λ ≈ 5–15
    purchases a year about 1 % of customers drop out a year; over 36 months at most a few %."""
    world = World(behaviour="seasonal_loyal", customers=800, history_months=36, seed=3,
                  csv_dialect="en", **CLEAN)  # fmt: skip
    _, _, truth = write(tmp_path, world)
    assert (truth["btyd"]["a"], truth["btyd"]["b"]) == (1.0, 800.0)
    assert truth["btyd"]["seasonal_amplitude"] >= 0.6
    lost = 1 - truth["orders"]["customers_alive_at_end"] / 800
    assert 0 < lost < 0.06


def repeat_months(world: World, tmp_path: Path) -> pd.Series:
    folder, _, _ = write(tmp_path, world)
    lines = read(folder, world, "transactions")
    ts = stamps(world, lines["order_ts"]).sort_values()
    repeat = ts[lines.loc[ts.index, "customer_id"].duplicated()]
    return repeat.dt.month


@pytest.mark.parametrize(
    ("behaviour", "low", "high"),
    [("seasonal", 2.5, 100), ("seasonal_loyal", 2.5, 100), ("bgnbd", 0, 1.6)],
)
def test_seasonal_world_buys_in_the_fourth_quarter(tmp_path, behaviour, low, high):
    world = World(behaviour=behaviour, customers=1500, history_months=36, seed=0,
                  csv_dialect="en", order_lines=False, **CLEAN)  # fmt: skip
    month = repeat_months(world, tmp_path)
    ratio = (month >= 10).sum() / month.between(4, 6).sum()  # Q4 over Q2 repeat purchases
    assert low < ratio < high


# -- channels and spend response ------------------------------------------------------------------
def monthly_new(folder: Path, world: World) -> pd.DataFrame:
    """New customers and spend by channel and month, from customers.csv and marketing_spend.csv."""
    customers = read(folder, world, "customers")
    month = stamps(world, customers["acquired_at"]).dt.to_period("M")
    new = customers.groupby([customers["acquisition_channel"], month]).size().rename("new")
    spend = read(folder, world, "marketing_spend")
    fmt = "%d.%m.%Y" if world.csv_dialect == "pl" else "%Y-%m-%d"
    spend["month"] = pd.to_datetime(spend["period"], format=fmt).dt.to_period("M")
    spend["spend"] = pd.to_numeric(spend["spend"].str.replace(",", ".", regex=False))
    spend = spend.set_index(["channel", "month"])["spend"]
    spend.index.names = new.index.names = ["channel", "month"]
    return pd.concat([new, spend], axis=1).fillna(0.0)


def test_linear_response_new_customers_exactly_proportional_to_spend(tmp_path):
    world = World(spend_response="linear", channels=5, customers=600, seed=3, **CLEAN)
    folder, _, truth = write(tmp_path, world)
    table = monthly_new(folder, world)
    paid = [name for name, ch in truth["channels"].items() if ch["kind"] == "paid"]
    assert paid and all(truth["spend_response"]["b"][name] == 1.0 for name in paid)
    for name in paid:
        rows = table.loc[name]
        ratio = (rows["spend"][rows["new"] > 0] / rows["new"][rows["new"] > 0]).round(6)
        assert ratio.nunique() == 1, name  # spend per new customer: one CAC every month
        assert (rows["spend"][rows["new"] == 0] == 0).all()
        assert ratio.iloc[0] == pytest.approx(truth["channels"][name]["cac"])


@pytest.mark.parametrize(("response", "bounds"), [("concave", (0.3, 0.95)), ("flat", (0, 0))])
def test_concave_and_flat_responses_in_the_truth(tmp_path, response, bounds):
    world = World(spend_response=response, channels=6, customers=100, seed=4, **CLEAN)
    _, _, truth = write(tmp_path, world)
    bs = truth["spend_response"]["b"].values()
    assert bs and all(bounds[0] <= b <= bounds[1] for b in bs)


def test_awkward_channels_zero_spend_and_single_month(tmp_path):
    world = World(channels=8, zero_spend_channel=True, single_month_channel=True, customers=300,
                  seed=5, **CLEAN)  # fmt: skip
    folder, _, truth = write(tmp_path, world)
    spend = read(folder, world, "marketing_spend")
    kinds = {name: ch["kind"] for name, ch in truth["channels"].items()}
    assert len(kinds) == 8 == read(folder, world, "customers")["acquisition_channel"].nunique()
    zero = next(n for n, k in kinds.items() if k == "zero")
    single = next(n for n, k in kinds.items() if k == "single")
    assert set(spend.loc[spend["channel"] == zero, "spend"]) == {"0,00"}
    assert (spend["channel"] == single).sum() == 1
    organic = [n for n, k in kinds.items() if k == "organic"]
    assert not spend["channel"].isin(organic).any()


def test_no_channels_no_spend_export_and_no_channel_column(tmp_path):
    world = World(channels=0, customers=50, seed=6, **CLEAN)
    folder, config, truth = write(tmp_path, world)
    assert not (folder / "marketing_spend.csv").exists()
    assert "marketing_spend" not in config["sources"]
    assert "acquisition_channel" not in read(folder, world, "customers")
    assert truth["channels"] == {}


# -- channel and loyalty effects -------------------------------------------------------------------
EFFECTS_SEED = 22  # its drawn coefficients (ground_truth.json) are far apart: trans 0, 0.44,
# -0.56 and life 0, 0.56, -0.66 over the three channels; members trans 0.36, life -0.28
DAYS_PER_MONTH = 30.4375


def effects_world(behaviour: str, effects: bool, customers: int = 20_000, **knobs) -> World:
    """Three channels (no zero-spend or single-month one), loyalty, no reps: one table
    (customers), an English export without dirty rows or returns."""
    settings = dict(behaviour=behaviour, customers=customers, history_months=36, channels=3,
                    zero_spend_channel=False, single_month_channel=False, loyalty=True,
                    optional_tables=("customers",), sales_reps=0, channel_effects=effects,
                    csv_dialect="en", order_lines=False, seed=EFFECTS_SEED, **CLEAN)  # fmt: skip
    return World(**(settings | knobs))


@pytest.fixture(scope="module")
def effect_clients(tmp_path_factory):
    """The four 20,000-customer clients, each written once: (behaviour, effects) -> (folder,
    world, truth, latent customers)."""
    out = {}
    for behaviour in ("no_dropout", "bgnbd"):
        for effects in (True, False):
            world = effects_world(behaviour, effects)
            folder = write_client(world, tmp_path_factory.mktemp(f"{behaviour}{effects}")).parent
            truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
            latent = pd.read_csv(folder / "ground_truth_customers.csv", keep_default_na=False)
            out[behaviour, effects] = folder, world, truth, latent
    return out


def group_exponents(truth: dict, channel: str, member: int) -> tuple[float, float]:
    """The true trans and life exponents of a channel and loyalty status (ground_truth.json)."""
    cov = truth["covariates"]
    trans = cov["trans"]["channels"][channel] + member * cov["trans"]["loyalty_member"]
    life = cov["life"]["channels"][channel] + member * cov["life"]["loyalty_member"]
    return trans, life


def realised_rates(folder: Path, world: World) -> pd.DataFrame:
    """Repeat purchases per customer-week by channel and loyalty status, read from the exports
    with pandas: (orders − 1) / weeks from the first order to the window's end, pooled per
    group (Σx / ΣT) with the ratio estimator's standard error."""
    customers = read(folder, world, "customers")
    orders = read(folder, world, "transactions").groupby("customer_id")["order_id"].nunique()
    frame = pd.DataFrame({
        "channel": customers["acquisition_channel"].to_numpy(),
        "member": (customers["loyalty_member"] == "yes").astype(int).to_numpy(),
        "x": orders.reindex(customers["customer_id"]).to_numpy() - 1,
        "T": ((WINDOW_END - stamps(world, customers["acquired_at"])).dt.total_seconds()
              / (7 * 86400)).to_numpy(),
    })  # fmt: skip
    rows = []
    for (channel, member), part in frame.groupby(["channel", "member"]):
        rate = part["x"].sum() / part["T"].sum()
        se = np.sqrt(((part["x"] - rate * part["T"]) ** 2).sum()) / part["T"].sum()
        rows.append({"channel": channel, "member": member, "rate": rate, "se": se})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("effects", [True, False])
def test_channels_and_members_buy_at_their_true_rates(effect_clients, effects):
    """No drop-out, so a customer's repeat purchases per week estimate λ whenever he was
    acquired: per channel and loyalty status the realised rate (from the exports) is
    r/α_i = r/α·exp(γ_trans) within 4 SE; with effects the groups differ in the direction of
    the coefficients and the no-effect rate r/α is rejected; without, every group is at r/α."""
    folder, world, truth, latent = effect_clients["no_dropout", effects]
    r, alpha = truth["btyd"]["r"], truth["btyd"]["alpha"]
    rates = realised_rates(folder, world)
    assert len(rates) == 6  # three channels x member or not
    groups = rates[["channel", "member"]].itertuples(index=False)
    trans = np.array([group_exponents(truth, channel, member)[0] for channel, member in groups])
    expected = r / alpha * np.exp(trans)
    assert np.abs((rates["rate"] - expected) / rates["se"]).max() < 4
    off = np.abs((rates["rate"] - r / alpha) / rates["se"])
    if effects:
        assert off.max() > 8 and (np.ptp(trans) > 1.0)  # the effects are there and visible
        base = rates.set_index(["channel", "member"])["rate"]
        reference = truth["covariates"]["reference_channel"]
        for (channel, member), rate in base.items():
            gamma = trans[(rates["channel"] == channel) & (rates["member"] == member)][0]
            if abs(gamma) > 0.2:
                assert np.sign(np.log(rate / base[reference, 0])) == np.sign(gamma)
    else:
        assert off.max() < 4 and not np.any(trans)
    # the latent rates: each group's mean λ is r / α_i (Gamma: sd sqrt(r) / α_i)
    shared = latent.merge(read(folder, world, "customers"), on="customer_id")
    assert (shared["acquisition_channel_x"] == shared["acquisition_channel_y"]).all()
    for (channel, member), part in latent.groupby(["acquisition_channel", "loyalty_member"]):
        alpha_i = alpha * np.exp(-group_exponents(truth, channel, member)[0])
        z = (part["lambda_per_week"].mean() - r / alpha_i) / (np.sqrt(r / len(part)) / alpha_i)
        assert abs(z) < 4, (channel, member)


@pytest.mark.parametrize("effects", [True, False])
def test_drop_out_after_each_purchase_follows_the_groups_beta(effect_clients, effects):
    """BG/NBD: a customer who made k repeat purchases drops out right after the k-th with
    probability E[p(1−p)^(k−1)] / E[(1−p)^(k−1)] = a_i / (a_i + b_i + k − 1) (Beta(a_i, b_i)).
    Per channel and loyalty status the drop-outs after purchases 1 … 8 (the latent
    ``alive_at_end``) match that within 4 SE; with effects the reference's a, b are rejected in
    the direction of the life coefficient (a larger exponent, a more concentrated p: more
    drop-outs after the second purchase on), without they hold everywhere."""
    _, _, truth, latent = effect_clients["bgnbd", effects]
    a, b = truth["btyd"]["a"], truth["btyd"]["b"]
    seen = []
    for (channel, member), part in latent.groupby(["acquisition_channel", "loyalty_member"]):
        life = group_exponents(truth, channel, member)[1]
        x, dead = part["repeat_purchases"].to_numpy(), ~part["alive_at_end"].to_numpy(bool)
        reached = np.array([(x >= k).sum() for k in range(1, 9)])
        dropped = np.array([((x == k) & dead).sum() for k in range(1, 9)])
        hazard = a * np.exp(life) / ((a + b) * np.exp(life) + np.arange(8))
        reference = a / (a + b + np.arange(8))
        sd = np.sqrt((reached * hazard * (1 - hazard)).sum())
        z = (dropped.sum() - (reached * hazard).sum()) / sd
        z_reference = (dropped.sum() - (reached * reference).sum()) / sd
        assert abs(z) < 4, (channel, member, z)
        seen.append((life, z_reference))
    lives, z_ref = np.array(seen).T
    if effects:
        strong = np.abs(lives) > 0.4
        assert strong.sum() >= 3 and (np.sign(z_ref[strong]) == np.sign(lives[strong])).all()
        assert np.abs(z_ref[strong]).min() > 3
    else:
        assert not lives.any() and np.abs(z_ref).max() < 4
    # the latent p: mean a/(a+b) in every group, spread 1/(a_i + b_i + 1) relative
    for (channel, member), part in latent.groupby(["acquisition_channel", "loyalty_member"]):
        life = group_exponents(truth, channel, member)[1]
        a_i, b_i = a * np.exp(life), b * np.exp(life)
        p = part["dropout_p"]
        assert p.mean() == pytest.approx(a / (a + b), abs=4 * p.std() / np.sqrt(len(p)))
        var = a_i * b_i / ((a_i + b_i) ** 2 * (a_i + b_i + 1))
        assert p.var() == pytest.approx(var, rel=0.12), (channel, member)


def test_effects_need_the_knob_and_apply_only_where_a_process_is(tmp_path):
    """Without the knob every coefficient is 0; one-time buyers and no drop-out record no
    effect that could not act (no process; life with a = 0); no channels: the reference only."""
    _, _, truth = write(tmp_path / "a", effects_world("bgnbd", False, customers=200))
    assert not any(truth["covariates"]["trans"]["channels"].values())
    assert truth["covariates"]["trans"]["loyalty_member"] == 0.0
    _, _, truth = write(tmp_path / "b", effects_world("one_time", True, customers=200))
    assert not any(truth["covariates"]["trans"]["channels"].values())
    _, _, truth = write(tmp_path / "c", effects_world("no_dropout", True, customers=200))
    assert any(truth["covariates"]["trans"]["channels"].values())
    assert not any(truth["covariates"]["life"]["channels"].values())
    assert truth["orders"]["customers_alive_at_end"] == 200
    _, _, truth = write(tmp_path / "d", effects_world("bgnbd", True, customers=200, channels=0,
                                                     loyalty=False))  # fmt: skip
    assert truth["covariates"]["reference_channel"] is None
    assert truth["covariates"]["trans"]["loyalty_member"] is None
    assert truth["new_customer_value"]["channels"] == {}
    assert truth["new_customer_value"]["all"]["customers"] == 200


# -- the true value of a new customer: closed forms written here, not imported ---------------------
def bgnbd_expected(t, r, alpha, a, b):
    """BG/NBD E[X(t)] of a new customer (Fader, Hardie & Lee 2005, eq. 9); NBD r t / α at a = 0."""
    t = np.asarray(t, dtype=float)
    if not a:
        return r * t / alpha
    return (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    )


def quad_expected(weeks, r, alpha, a, b):
    """The same E[X] by integrating E[X | p] = (1 − (α/(α + pΛ))^r) / p over p ~ Beta(a, b)
    (λ ~ Gamma(r, α) integrated in closed form), for intensities Λ in weeks."""

    def one(w):
        f = lambda p: -np.expm1(r * np.log(alpha / (alpha + p * w))) / p * stats.beta.pdf(p, a, b)  # noqa: E731
        return integrate.quad(f, 0, 1, limit=200, epsabs=1e-12, epsrel=1e-10)[0]

    return np.array([one(w) for w in np.atleast_1d(weeks)])


def closed_value(expected_at, months, *, mean_order, margin, annual_rate):
    """margin × mean order × [1 + Σ_{m=1..H} (E[X(m)] − E[X(m−1)]) / (1 + d)^m] from E[X] at
    the ends of months 0 … H."""
    d = (1 + annual_rate) ** (1 / 12) - 1
    steps = np.diff(expected_at) / (1 + d) ** np.arange(1, months + 1)
    return margin * mean_order * (1 + steps.sum())


GG = {"p": 3.0, "q": 4.0, "gamma": 90.0}  # mean order value 3 x 90 / 3 = 90


@pytest.mark.parametrize(
    ("btyd", "multiplier", "worse"),
    [
        ({"r": 0.8, "alpha": 9.0, "a": 0.7, "b": 3.0}, 1.0, 0.0),
        ({"r": 1.3, "alpha": 14.0, "a": 1.6, "b": 5.0}, 1.25, 0.0),
        ({"r": 0.6, "alpha": 6.0, "a": 0.5, "b": 1.2}, 1.0, 0.25),
        ({"r": 2.0, "alpha": 12.0, "a": 0.0, "b": None}, 1.0, 0.0),
        ({"r": None, "alpha": None, "a": None, "b": None}, 1.25, 0.0),
    ],
)
@pytest.mark.parametrize(("margin", "rate"), [(1.0, 0.0), (0.35, 0.1)])
def test_monte_carlo_value_agrees_with_the_closed_form(btyd, multiplier, worse, margin, rate):
    """The simulated value against FHL's E[X(t)] (hyp2f1) summed month by month: no discount
    and margin 1 (then E[z]·(1 + E[X(36 months)])) and the audit's 35 % / 10 % a year; a
    member's spend multiplier; the worse rep's b / 2.5 as a mixture; no drop-out; one-time."""
    months = 36
    value, se = simulate_new_customer_value(btyd, GG, horizon_months=months,
                                            annual_discount_rate=rate, margin=margin,
                                            spend_multiplier=multiplier, worse_rep_share=worse,
                                            draws=200_000, seed=1)  # fmt: skip
    t = np.arange(months + 1) * DAYS_PER_MONTH / 7
    mean_order = multiplier * GG["p"] * GG["gamma"] / (GG["q"] - 1)
    if btyd["r"] is None:
        expected = margin * mean_order
    else:
        parts = [(1 - worse, btyd["b"]), (worse, (btyd["b"] or 0) / 2.5)]
        expected = sum(
            share * closed_value(bgnbd_expected(t, btyd["r"], btyd["alpha"], btyd["a"], b),
                                 months, mean_order=mean_order, margin=margin, annual_rate=rate)
            for share, b in parts if share
        )  # fmt: skip
    assert se / value < 0.01
    assert abs(value - expected) < 4 * se, (value, expected, se)


def test_seasonal_value_integrates_the_generators_season():
    """A seasonal world's value over the season's intensity (eight months from 2026-01-01,
    mostly the low season): Λ(m) summed day by day with the daily factor
    1 + A cos(2π (day of year − 340)/365.25), E[X] by quadrature — and the two closed forms
    agree with each other without a season."""
    btyd = {"r": 0.9, "alpha": 10.0, "a": 0.8, "b": 3.5}
    t = np.arange(1, 13) * DAYS_PER_MONTH / 7
    np.testing.assert_allclose(quad_expected(t, **btyd), bgnbd_expected(t, **btyd), rtol=1e-7)
    season = {"seasonal_amplitude": 0.8, "seasonal_peak_day": 340}
    months = 8  # January to August: mostly the low season
    value, se = simulate_new_customer_value(btyd | season, GG, horizon_months=months,
                                            annual_discount_rate=0.1, margin=0.35,
                                            draws=200_000, seed=2)  # fmt: skip
    days = pd.date_range("2026-01-01", periods=800, freq="D")
    factor = 1 + 0.8 * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - 340) / 365.25)
    ends = np.arange(months + 1) * DAYS_PER_MONTH
    whole = np.floor(ends).astype(int)
    cumulative = np.concatenate([[0.0], np.cumsum(factor)])
    weeks = (cumulative[whole] + (ends - whole) * factor[whole]) / 7
    expected = closed_value(quad_expected(weeks, **btyd), months, mean_order=90.0, margin=0.35,
                            annual_rate=0.1)  # fmt: skip
    flat = closed_value(bgnbd_expected(ends / 7, **btyd), months, mean_order=90.0, margin=0.35,
                        annual_rate=0.1)  # fmt: skip
    assert abs(value - expected) < 4 * se and abs(expected - flat) > 8 * se  # the season counts


def test_ground_truth_new_customer_value_per_channel_and_status(tmp_path):
    """ground_truth.json: per channel and loyalty status the natural parameters are the
    reference's moved by the coefficients (α e^(−γ_trans), a e^(γ_life), b e^(γ_life)), the
    value is the closed form at them (the worse rep's share as a mixture) within 4 SE at the
    client's economics, a channel's value mixes members at 30 % and at its realised share, the
    pooled value weighs channels by customers; the latent file holds every customer's channel."""
    world = effects_world("bgnbd", True, customers=600, sales_reps=3, rep_effect=True)
    folder, config, truth = write(tmp_path, world)
    econ, base = config["economics"], truth["btyd"]
    new = truth["new_customer_value"]
    assert (new["margin"], new["annual_discount_rate"], new["horizon_months"]) == (
        econ["gross_margin"], econ["annual_discount_rate"], econ["horizon_months"])  # fmt: skip
    worse = new["worse_rep_share"]
    assert worse == pytest.approx(1 / 3) and truth["sales_reps"]["effect"]
    gg = truth["gamma_gamma"]
    months = econ["horizon_months"]
    t = np.arange(months + 1) * DAYS_PER_MONTH / 7
    latent = pd.read_csv(folder / "ground_truth_customers.csv", keep_default_na=False)
    assert set(new["channels"]) == set(truth["channels"]) == set(latent["acquisition_channel"])
    for name, channel in new["channels"].items():
        inside = latent["acquisition_channel"] == name
        assert channel["customers"] == inside.sum()
        assert channel["member_share"] == pytest.approx(latent.loc[inside, "loyalty_member"].mean())
        values = {}
        for status, member in (("non_member", 0), ("member", 1)):
            group = channel["loyalty"][status]
            trans, life = group_exponents(truth, name, member)
            assert group["alpha"] == pytest.approx(base["alpha"] * np.exp(-trans))
            assert group["a"] == pytest.approx(base["a"] * np.exp(life))
            assert group["b"] == pytest.approx(base["b"] * np.exp(life))
            mean_order = (1 + 0.25 * member) * gg["p"] * gg["gamma"] / (gg["q"] - 1)
            expected = sum(
                share * closed_value(bgnbd_expected(t, group["r"], group["alpha"], group["a"], b),
                                     months, mean_order=mean_order, margin=econ["gross_margin"],
                                     annual_rate=econ["annual_discount_rate"])
                for share, b in ((1 - worse, group["b"]), (worse, group["b"] / 2.5))
            )  # fmt: skip
            value, se = group["new_customer_value"], group["new_customer_value_se"]
            assert se / value < 0.01 and abs(value - expected) < 4 * se, (name, status)
            values[status] = value
        assert channel["new_customer_value"] == pytest.approx(
            0.7 * values["non_member"] + 0.3 * values["member"]
        )
        share = channel["member_share"]
        assert channel["new_customer_value_at_member_share"] == pytest.approx(
            (1 - share) * values["non_member"] + share * values["member"])  # fmt: skip
    pooled = sum(c["customers"] * c["new_customer_value"] for c in new["channels"].values())
    assert new["all"]["new_customer_value"] == pytest.approx(pooled / 600)
    spread = [c["new_customer_value"] for c in new["channels"].values()]
    assert max(spread) / min(spread) > 1.1  # the effects move the value ...
    _, _, alike = write(tmp_path / "off", effects_world("bgnbd", False, customers=600))
    values = [(c["new_customer_value"], c["new_customer_value_se"])
              for c in alike["new_customer_value"]["channels"].values()]  # fmt: skip
    for v, se in values:  # ... and without them every channel is worth the same
        assert abs(v - values[0][0]) < 4 * np.hypot(se, values[0][1])


# -- funnel, tables, dialect ----------------------------------------------------------------------
@pytest.mark.parametrize("language", ["pl", "en", "de"])
@pytest.mark.parametrize("cart", [True, False])
def test_funnel_steps_in_the_language_with_or_without_a_cart(tmp_path, language, cart):
    world = World(step_language=language, cart_step=cart, customers=60, seed=7, **CLEAN)
    folder, config, truth = write(tmp_path, world)
    steps = config["funnel"]["steps"]
    assert "cart_step" not in config["funnel"]  # the audit must infer it
    carts = [s for s in steps if any(w in s.lower() for w in CART_WORDS)]
    assert carts == ([truth["funnel"]["cart_step"]] if cart else [])
    assert truth["funnel"]["cart_step"] is None if not cart else truth["funnel"]["cart_step"]
    sessions = read(folder, world, "sessions")
    assert set(sessions["step"]) <= set(steps) and steps[0] in set(sessions["step"])
    known = {"pl": "wizyta", "en": "visit", "de": "besuch"}
    assert steps[0] == known[language]


def test_optional_tables_absent_are_neither_written_nor_configured(tmp_path):
    world = World(optional_tables=("customers",), customers=40, seed=8, **CLEAN)
    folder, config, _ = write(tmp_path, world)
    assert set(config["sources"]) == {"transactions", "customers"}
    assert "funnel" not in config
    assert sorted(p.name for p in folder.glob("*.csv") if "ground" not in p.name) == [
        "customers.csv",
        "transactions.csv",
    ]


def test_reps_and_loyalty_go_to_transactions_or_customers(tmp_path):
    world = World(optional_tables=(), sales_reps=4, loyalty=True, customers=80, seed=9, **CLEAN)
    folder, config, truth = write(tmp_path, world)
    assert "sales_rep" in config["sources"]["transactions"]["columns"]
    assert read(folder, world, "transactions")["sales_rep"].nunique() <= 4
    assert truth["loyalty"]["column"] is False and truth["sales_reps"]["in_table"] == "transactions"
    world = World(sales_reps=0, loyalty=False, customers=80, seed=9, **CLEAN)
    folder, config, _ = write(tmp_path / "b", world)
    assert not {"sales_rep", "loyalty_member"} & set(config["sources"]["customers"]["columns"])


@pytest.mark.parametrize("unsubscribe", [True, False])
def test_messages_unsubscribe_column_only_when_asked(tmp_path, unsubscribe):
    world = World(messages_unsubscribe=unsubscribe, customers=300, seed=10, **CLEAN)
    folder, config, _ = write(tmp_path, world)
    columns = config["sources"]["messages"]["columns"]
    assert ("unsubscribed_at" in columns) is unsubscribe
    assert ("unsubscribed_at" in read(folder, world, "messages")) is unsubscribe


def test_messages_carry_a_fatigue_curve(tmp_path):
    """More messages a week, fewer clicks per message (the drawn multiplier exp(-k (m - 1)))."""
    world = World(customers=1500, seed=11, csv_dialect="en", **CLEAN)
    folder, _, _ = write(tmp_path, world)
    messages = read(folder, world, "messages")
    per_customer = messages.groupby("customer_id").agg(
        sent=("sent_at", "size"), clicks=("clicked_at", lambda c: (c != "").sum())
    )
    light = per_customer[per_customer["sent"] <= 8]  # about 0.5 a week over 13 weeks
    heavy = per_customer[per_customer["sent"] >= 30]  # 3 a week and more
    ctr = lambda part: part["clicks"].sum() / part["sent"].sum()  # noqa: E731
    assert ctr(heavy) < 0.75 * ctr(light)


@pytest.mark.parametrize("lines", [True, False])
def test_order_lines_or_one_row_per_order(tmp_path, lines):
    world = World(order_lines=lines, customers=200, seed=12, **CLEAN)
    folder, config, _ = write(tmp_path, world)
    frame = read(folder, world, "transactions")
    columns = config["sources"]["transactions"]["columns"]
    if lines:
        assert {"unit_price", "quantity"} <= set(columns) and "revenue" not in columns
        assert frame["order_id"].duplicated().any()
    else:
        assert "revenue" in columns and "unit_price" not in columns
        assert not frame["order_id"].duplicated().any()


def test_returns_are_negative_rows_of_the_same_order(tmp_path):
    world = World(order_lines=False, returns_share=0.2, customers=300, seed=13, dirty_rows=False)
    folder, _, truth = write(tmp_path, world)
    frame = read(folder, world, "transactions")
    negative = frame[frame["revenue"].str.startswith("-")]
    assert len(negative) == truth["transactions_file"]["return_rows"] > 20
    assert negative["order_id"].isin(frame.loc[~frame.index.isin(negative.index), "order_id"]).all()


def test_polish_dialect_is_cp1250_semicolons_decimal_comma_and_dotted_dates(tmp_path):
    world = World(csv_dialect="pl", customers=100, seed=14, **CLEAN)
    folder, config, _ = write(tmp_path, world)
    raw = (folder / "transactions.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # "Nr zamówienia" in cp1250 is not UTF-8
    text = raw.decode("cp1250")
    header, first = text.split("\r\n")[:2]
    assert header.startswith("Nr zamówienia;") and first.count(";") == header.count(";")
    frame = read(folder, world, "transactions")
    assert frame["unit_price"].str.fullmatch(r"\d+,\d\d").all()
    assert frame["order_ts"].str.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d").all()
    csv = config["sources"]["transactions"]["csv"]
    assert csv == {"sep": ";", "decimal": ",", "encoding": "cp1250",
                   "date_format": "%d.%m.%Y %H:%M"}  # fmt: skip


def test_english_dialect_is_utf8_commas_and_iso_dates(tmp_path):
    world = World(csv_dialect="en", order_lines=False, customers=100, seed=15, **CLEAN)
    folder, config, _ = write(tmp_path, world)
    text = (folder / "transactions.csv").read_bytes().decode("utf-8")
    assert text.splitlines()[0].startswith("InvoiceNo,CustomerID,")
    frame = read(folder, world, "transactions")
    assert frame["revenue"].str.fullmatch(r"\d+\.\d\d").all()
    assert frame["order_ts"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    assert "date_format" not in config["sources"]["transactions"]["csv"]  # ISO: the default


@pytest.mark.parametrize(
    ("locale", "currency"), [("pl", "EUR"), ("en", "GBP"), ("en", "PLN"), ("en_GB", "GBP"),
                             ("pl_PL", "PLN"), ("de_DE", "EUR")])  # fmt: skip
def test_locale_and_currency_reach_client_yml(tmp_path, locale, currency):
    world = World(locale=locale, currency=currency, customers=30, seed=16, **CLEAN)
    _, config, truth = write(tmp_path, world)
    assert (config["locale"], config["currency"]) == (locale, currency)
    assert truth["observation"]["currency"] == currency


def test_the_formatting_region_changes_client_yml_only(tmp_path):
    """A region (pl → pl_PL, en → en_GB …) is drawn in its own stream and reaches only
    client.yml's ``locale``: every data file keeps its bytes."""
    folders = {}
    for locale in ("en", "en_GB", "de_DE"):
        world = World(locale=locale, customers=30, seed=16)
        folders[locale] = write_client(world, tmp_path / locale).parent
    names = sorted(p.name for p in folders["en"].iterdir() if p.suffix == ".csv")
    assert names
    for locale, folder in folders.items():
        for name in names:
            assert (folder / name).read_bytes() == (folders["en"] / name).read_bytes(), name
        config = yaml.safe_load((folder / "client.yml").read_text(encoding="utf-8"))
        assert config["locale"] == locale


# -- through the loader ---------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
def test_drawn_clients_validate_and_reconcile(tmp_path, capsys, seed):
    """``clv-audit validate`` reads every drawn client (exit 0), each table reconciles
    (rows_read == rows_used + Σ excluded), the loader excludes exactly the dirty rows injected
    and reads as many rows as were written.

    Clients whose funnel has no ``add_to_cart`` step pass only with the cart step inferred
    (issue 16, defect 1: clvlib/config.py).
    """
    world = sample_world(seed)
    config_path = write_client(world, tmp_path / "client")
    truth = json.loads((tmp_path / "client" / "ground_truth.json").read_text(encoding="utf-8"))
    assert main(["validate", str(config_path)]) == 0, capsys.readouterr().err
    assert " NO" not in capsys.readouterr().out
    config = load_config(config_path)
    con = ibis.duckdb.connect()
    loaded = load_tables(config, con, progress=False)
    con.disconnect()
    assert set(loaded.quality) == set(config.sources.present())
    for table, quality in loaded.quality.items():
        assert quality.rows_read == quality.rows_used + sum(quality.rows_excluded.values()), table
        assert quality.rows_read == truth["files"][f"{table}.csv"]["rows"], table
        if table != "transactions":  # only transactions carry dirty rows
            assert quality.rows_used == quality.rows_read, (table, quality.rows_excluded)
    excluded = {k: v for k, v in loaded.quality["transactions"].rows_excluded.items() if v}
    assert excluded == truth["dirty_rows"]


# -- the command line -----------------------------------------------------------------------------
def test_demo_world_writes_the_drawn_client(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "a"), "--world", "5", "--customers", "40"]) == 0
    assert capsys.readouterr().out.strip().endswith("client.yml")
    truth = json.loads((tmp_path / "a" / "ground_truth.json").read_text(encoding="utf-8"))
    assert truth["knobs"] == sample_world(5, customers=40).knobs()
    assert main(["demo", "--out", str(tmp_path / "b"), "--world", "5", "--customers", "5"]) == 2
    assert "customers" in capsys.readouterr().err
