"""A run executes its notebooks in one kernel (``clvlib.report.run.shared_kernel``) to save the
kernel start and imports per notebook; ``reset()`` between notebooks must leave none of the
previous notebook's variables behind, while imported modules stay (that is the saving).

Reference: IPython's ``%reset -f`` semantics (the user namespace is cleared; ``sys.modules`` is
not). The end-to-end and reproducibility tests check that a whole run gives the same
metrics.json as before.
"""

from __future__ import annotations

from clvlib.report.run import _kernel_spec, shared_kernel


def _run(km, code: str) -> str:
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        out: list[str] = []

        def keep(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])

        client.execute_interactive(code, timeout=60, output_hook=keep)
        return "".join(out)
    finally:
        client.stop_channels()


def test_reset_clears_variables_but_keeps_imported_modules(tmp_path):
    _kernel_spec(tmp_path / "work")
    with shared_kernel(tmp_path) as (reset, km):
        reset()  # the first notebook: nothing to clear
        _run(km, "import sys, json\nsecret = 41\nsys.modules['json'].marker = 1")
        assert _run(km, "print(secret + 1)") == "42\n"
        reset()  # the next notebook
        seen = _run(
            km, "import sys\nprint('secret' in dir(), hasattr(sys.modules['json'], 'marker'))"
        )
        assert seen == "False True\n"
