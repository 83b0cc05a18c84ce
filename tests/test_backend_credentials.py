"""backend.url follows a database source's credential rules: no password in client.yml (a URL
carrying one is refused without repeating it), the password from the environment variable
``backend.password_env`` names, and no connection error that prints it."""

from __future__ import annotations

import socket
import textwrap

import pytest

from clvlib.backends import connect_url
from clvlib.config import load_config
from clvlib.errors import ConfigError

SECRET = "S3cr3t-Pa55"


def _write(tmp_path, backend: str):
    (tmp_path / "t.csv").write_text("customer_id,order_ts,revenue\n1,2024-01-01,10\n")
    path = tmp_path / "client.yml"
    path.write_text(
        textwrap.dedent(
            f"""
            client: Sklep
            sources:
              transactions: {{path: t.csv}}
            backend: {backend}
            """
        ),
        encoding="utf-8",
    )
    return path


def test_a_backend_url_with_a_password_is_refused_without_repeating_it(tmp_path):
    path = _write(tmp_path, f'{{url: "postgresql://audit:{SECRET}@127.0.0.1:5432/dwh"}}')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "carries a password" in str(err.value)
    assert "password_env" in str(err.value)
    assert SECRET not in str(err.value)


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        ("{name: duckdb, password_env: DWH_PASSWORD}", "belongs to a url backend"),
        ('{url: "postgresql://audit@h/dwh", password_env: "hunter 2"}', "NAME of an environment"),
    ],
)
def test_password_env_rules(tmp_path, backend, words):
    with pytest.raises(ConfigError, match=words):
        load_config(_write(tmp_path, backend))


def test_a_backend_url_without_password_and_its_variable_validate(tmp_path):
    config = load_config(
        _write(tmp_path, '{url: "postgresql://audit@127.0.0.1:5432/dwh", password_env: DWH_PW}')
    )
    assert config.backend.password_env == "DWH_PW"


def test_an_unset_password_variable_is_named(monkeypatch):
    monkeypatch.delenv("DWH_PW_UNSET", raising=False)
    with pytest.raises(ConfigError, match="DWH_PW_UNSET, which is not set"):
        connect_url("postgresql://audit@127.0.0.1:5432/dwh", "DWH_PW_UNSET")


def test_a_refused_connection_names_the_url_never_the_password(monkeypatch):
    with socket.socket() as s:  # a free loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DWH_PW", SECRET)
    with pytest.raises(ConfigError) as err:
        connect_url(f"postgresql://audit@127.0.0.1:{port}/dwh", "DWH_PW")
    assert f"postgresql://audit@127.0.0.1:{port}/dwh" in str(err.value)
    assert SECRET not in str(err.value)
    assert err.value.__cause__ is None  # no chained driver exception that could carry it
