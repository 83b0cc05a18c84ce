"""The Voilà app in a real browser: an analyst turns the CLV horizon and the total follows.

Playwright (pip) drives Debian's chromium (``/usr/bin/chromium``, installed by
``.ci/sysdeps.sh``; Playwright's own browser download is never used). The test writes a small
demo client, starts ``voila`` on a free loopback port over a copy of ``notebooks/``, opens step I,
checks the displayed total CLV at the default horizon, moves the horizon from 36 to 12 months
and checks the displayed total again. The reference is computed here with the library on the
same data — the chosen transaction model and the spend model fitted on the whole window, and
``customer_lifetime_value`` at the report's margin and discount rate — and formatted as the
report formats money. A screenshot lands in the test's tmp dir (and at ``$CLVLIB_SCREENSHOT``
when set, e.g. ``docs/analyst-widgets.png``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CLVLIB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HORIZON_AFTER = 12


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.is_file():
        return CHROMIUM
    reason = (
        f"no browser at {CHROMIUM}: install Debian's chromium (bash .ci/sysdeps.sh) "
        "to run the browser tests"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)  # CI installs it; a missing browser there is a broken setup
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"voila exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"voila did not answer at {url} within {timeout:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A demo client beside a copy of the notebooks (their ``config_path`` default is
    ``../data/demo/client.yml``), served by Voilà on a free loopback port; stopped afterwards
    with its kernels."""
    from clvlib.data.demo import write_demo

    root = tmp_path_factory.mktemp("app")
    config = write_demo(root / "data" / "demo", customers=1500, seed=7, progress=False)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    port = free_port()
    log = root / "voila.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", "--VoilaConfiguration.classic_tree=True",  # as make app
             "--show_tracebacks=True", str(root / "notebooks")],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"},
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", process, log)
        yield {"url": base, "config": config, "root": root, "log": log}
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # voila and the kernels it started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def expected_totals(config: Path, horizons: list[int]) -> dict[int, str]:
    """Total CLV per horizon as the library computes it and the report formats it."""
    import clvlib
    from clvlib import calculation, predictive
    from clvlib.models import customer_lifetime_value

    audit = clvlib.open_audit(config)
    economics = audit.config.economics
    margin = calculation.simple_clv_table(audit).set_index("quantity")["value"]["gross_margin"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chosen = predictive.validate_models(audit)["chosen"]
        rfm = predictive.customer_summary(audit)
        model = predictive.TRANSACTION_MODELS[chosen]().fit(rfm)
        spend, _ = predictive.fit_spend_model(rfm)
    return {
        h: audit.fmt(
            customer_lifetime_value(
                model,
                spend,
                rfm,
                horizon_months=h,
                annual_discount_rate=economics.annual_discount_rate,
                margin=margin,
            ).sum()
        )  # fmt: skip
        for h in horizons
    }


def test_app_lists_the_steps_and_the_horizon_moves_the_total_clv(app, chromium, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from clvlib.config import load_config

    default = load_config(app["config"]).economics.horizon_months
    expected = expected_totals(app["config"], [default, HORIZON_AFTER])
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh, empty user-data dir
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900},
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.goto(app["url"] + "/", timeout=60_000)  # the app's list of notebooks
            for name in ("01_calculation.ipynb", "04_retention.ipynb", "06_summary.ipynb"):
                expect(page.get_by_role("link", name=name)).to_be_visible(timeout=30_000)
            # Voilà streams the page while it runs the notebook: wait for the controls, not "load".
            page.goto(app["url"] + "/voila/render/01_calculation.ipynb", wait_until="commit")
            total = page.locator(".clv-total")
            # The whole notebook (models, bootstrap) runs before the controls appear.
            expect(total).to_have_text(expected[default], timeout=240_000)
            readout = page.locator(".clv-control-horizon_months .widget-readout")
            expect(readout).to_have_text(str(default))
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(str(HORIZON_AFTER))
            page.keyboard.press("Enter")
            expect(total).to_have_text(expected[HORIZON_AFTER], timeout=30_000)
            expect(page.locator(".clv-busy-on")).to_have_count(0, timeout=30_000)
            page.locator(".clv-panel").scroll_into_view_if_needed()
            shot = tmp_path / "analyst-widgets.png"
            page.locator(".clv-panel").screenshot(path=str(shot))
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
    if os.environ.get("CLVLIB_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["CLVLIB_SCREENSHOT"])
