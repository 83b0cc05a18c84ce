"""Issue 16 regressions of the contract itself: a funnel in the client's own language needs no
``cart_step`` (it is inferred, or the audit runs without abandoned-cart figures), and
``--debug`` works where the error message tells the user to put it."""

from __future__ import annotations

import pytest
from robustness_cases import cli, write_client

from clvlib.config import Funnel, infer_cart_step


@pytest.mark.parametrize(
    ("steps", "cart", "how"),
    [
        # DESIGN §4's Polish example: refused before the fix ("'add_to_cart' is not one of ...")
        (["wizyta", "karta_produktu", "koszyk", "kasa", "zakup"], "koszyk", "name"),
        (["visit", "product_view", "add_to_cart", "checkout", "purchase"], "add_to_cart", "name"),
        (
            ["Besuch", "Produktseite", "In den Warenkorb", "Kasse", "Kauf"],
            "In den Warenkorb",
            "name",
        ),
        (["visit", "basket", "purchase"], "basket", "name"),
        # no cart word: the step before the one named like a checkout (any case, diacritics)
        (["wizyta", "produkt", "Płatność", "zakup"], "produkt", "before_checkout"),
        (["landing", "offer", "Checkout", "order"], "offer", "before_checkout"),
        # neither: no cart step, so no abandoned-cart figures
        (["wizyta", "oferta", "zamówienie"], None, "none"),
        (["visit", "view", "buy"], None, "none"),
        # the purchase itself is never the cart step
        (["visit", "cart"], None, "none"),
    ],
)
def test_cart_step_is_inferred_from_the_step_names(steps, cart, how):
    assert infer_cart_step(steps) == (cart, how)
    funnel = Funnel(steps=steps)
    assert (funnel.cart_step, funnel.cart_step_source) == (cart, how)


def test_a_cart_step_given_in_client_yml_wins_and_is_checked():
    assert Funnel(steps=["a", "b", "c"], cart_step="a").cart_step_source == "config"
    with pytest.raises(ValueError, match="leave cart_step out"):
        Funnel(steps=["wizyta", "koszyk", "zakup"], cart_step="add_to_cart")
    with pytest.raises(ValueError, match="cart_step_source is set by clvlib"):
        Funnel(steps=["a", "b"], cart_step_source="name")


def test_polish_funnel_without_cart_step_validates(tmp_path):
    """The exact case of the issue: a client.yml that follows DESIGN §4 with Polish steps."""
    steps = ["wizyta", "karta_produktu", "koszyk", "kasa", "zakup"]
    sessions = "session_id,ts,step\n" + "".join(
        f"S{i},2024-01-0{1 + i % 5} 10:00,{step}\n" for i, step in enumerate(steps * 4)
    )
    config = write_client(
        tmp_path,
        sources={"sessions": {"path": "sesje.csv"}},
        files={"sesje.csv": sessions},
        funnel={"steps": steps},
    )
    code, out, err = cli("validate", config)
    assert code == 0, err


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_flag_is_accepted_before_and_after_the_subcommand(tmp_path, where, monkeypatch):
    """The internal-error message says "rerun with --debug": ``clv-audit run client.yml --debug``
    was rejected by argparse (exit 2, "unrecognized arguments"). A forced bug must give exit 1
    and, with --debug in either place, the traceback."""
    import clvlib.cli

    def bug(args):
        raise RuntimeError("forced bug")

    monkeypatch.setattr(clvlib.cli, "cmd_validate", bug)
    config = write_client(tmp_path)
    args = (
        ["--debug", "validate", str(config)]
        if where == "before"
        else ["validate", str(config), "--debug"]
    )
    code, out, err = cli(*args)
    assert code == 1 and "Traceback" in err and "forced bug" in err
    code, out, err = cli("validate", str(config))
    assert code == 1 and "Traceback" not in err and "rerun with --debug" in err
