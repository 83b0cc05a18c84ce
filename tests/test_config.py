"""client.yml validation (DESIGN §4): unknown keys, wrong types and missing files are errors
that name the key and what is expected."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from clvlib.config import load_config
from clvlib.errors import ConfigError

MINIMAL = """
client: Sklep Testowy
sources:
  transactions:
    path: t.csv
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "t.csv").write_text("customer_id,order_ts,revenue\n1,2024-01-01,10\n")
    path = tmp_path / "client.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_minimal_config_gets_documented_defaults(tmp_path):
    config = load_config(write(tmp_path, MINIMAL))
    assert config.locale == "en"
    assert config.currency == "PLN"
    assert config.economics.gross_margin == 0.35
    assert config.economics.annual_discount_rate == 0.10
    assert config.economics.horizon_months == 36
    assert config.holdout_weeks == "auto"  # 52 weeks for a strong season, else 26
    assert config.retention.churn_after_days == 365
    assert config.privacy.pseudonymize_ids is True
    assert config.funnel.steps[0] == "visit"
    assert config.source_path("transactions") == (tmp_path / "t.csv").resolve()


def test_full_design_example_validates(tmp_path):
    text = """
    client: Demo Shop
    currency: PLN
    locale: pl
    observation_end: 2025-12-31
    holdout_weeks: 26
    economics: {gross_margin: 0.35, annual_discount_rate: 0.10, horizon_months: 36}
    sources:
      transactions:
        path: t.csv
        columns: {customer_id: KlientID, order_id: NrZamowienia, order_ts: Data, revenue: Wartosc}
        csv: {sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y"}
    funnel: {steps: [visit, product_view, add_to_cart, checkout, purchase]}
    retention: {churn_after_days: 365}
    backend: {name: duckdb}
    privacy: {pseudonymize_ids: true}
    """
    config = load_config(write(tmp_path, text))
    assert config.sources.transactions.csv.encoding == "cp1250"
    assert config.sources.transactions.columns["order_id"] == "NrZamowienia"
    assert str(config.observation_end) == "2025-12-31"


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("economics: {gross_margn: 0.3}", "did you mean 'gross_margin'"),
        ("colour: blue", "'colour' is not a known key"),
        ("economics: {gross_margin: 35}", "economics.gross_margin"),
        ("economics: {horizon_months: many}", "economics.horizon_months"),
        ("locale: xx_QQ", "'locale'"),
        ("holdout_weeks: -1", "holdout_weeks"),
    ],
)
def test_bad_keys_and_types_name_the_key(tmp_path, snippet, expected):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, MINIMAL + snippet + "\n"))
    message = str(info.value)
    assert expected in message
    assert "client.yml" in message and "Fix:" in message


def test_unknown_canonical_column_suggests_the_right_one(tmp_path):
    text = MINIMAL + "    columns: {custmer_id: KlientID}\n"
    with pytest.raises(ConfigError, match="did you mean 'customer_id'"):
        load_config(write(tmp_path, text))


def test_missing_input_file_names_the_key_and_directory(tmp_path):
    text = MINIMAL.replace("t.csv", "nope.csv")
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert "sources.transactions.path" in str(info.value)
    assert str(tmp_path) in str(info.value)


def test_missing_config_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.yml")
    path = tmp_path / "client.yml"
    path.write_text("client: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_config(path)


def test_csv_options_are_checked(tmp_path):
    with pytest.raises(ConfigError, match="unknown encoding"):
        load_config(write(tmp_path, MINIMAL + "    csv: {encoding: klingon}\n"))
    with pytest.raises(ConfigError, match="single character"):
        load_config(write(tmp_path, MINIMAL + "    csv: {sep: ';;'}\n"))


def test_window_must_be_ordered(tmp_path):
    text = MINIMAL + "observation_start: 2025-01-01\nobservation_end: 2024-01-01\n"
    with pytest.raises(ConfigError, match="observation_start must be before observation_end"):
        load_config(write(tmp_path, text))
