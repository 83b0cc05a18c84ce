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


def test_a_run_leaves_no_kernel_client_connected(tmp_path, monkeypatch):
    """nbclient does not close its client when it does not own the kernel manager; a client
    left open keeps reconnecting to the dead kernel's ports, and a server that later listens on
    one of them (Spark's Arrow server) receives a ZMQ greeting instead of its handshake and
    hangs (seen in ``make test``). Every client started during a run must be stopped by its
    end."""
    import nbformat
    from jupyter_client.client import KernelClient

    from clvlib.report.run import _execute

    running: set[int] = set()
    start, stop = KernelClient.start_channels, KernelClient.stop_channels

    def tracked_start(self, *args, **kwargs):
        running.add(id(self))
        return start(self, *args, **kwargs)

    def tracked_stop(self):
        running.discard(id(self))
        return stop(self)

    monkeypatch.setattr(KernelClient, "start_channels", tracked_start)
    monkeypatch.setattr(KernelClient, "stop_channels", tracked_stop)
    notebook = tmp_path / "step.ipynb"
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "P"}}
    )
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, notebook)
    _kernel_spec(tmp_path / "work")
    with shared_kernel(tmp_path) as kernel:
        for name in ("a", "b"):
            _execute(notebook, tmp_path / f"{name}.ipynb", tmp_path / "c.yml", tmp_path, kernel)
        assert running, "the notebooks ran without a kernel client?"
    assert not running, f"{len(running)} kernel client(s) left with open channels"


def test_a_large_run_gives_each_notebook_its_own_kernel_with_the_same_figures(
    tmp_path, monkeypatch
):
    """Above ``LARGE_RUN_ROWS`` rows the notebooks get fresh kernels (memory of one step is
    returned before the next) and the report run's control panels skip their outputs; the
    figures must not depend on which way a run went."""
    import json

    from clvlib.data import quality
    from clvlib.data.demo import write_demo
    from clvlib.report import run

    write_demo(tmp_path / "client", customers=300, seed=5, progress=False)
    config = tmp_path / "client" / "client.yml"
    volatile = ("started_at", "finished_at", "seconds", "load_seconds", "render_seconds", "load")

    def metrics(out):
        found = json.loads((run.run_audit(config, out=out, steps=[2], pdf=False, progress=False)
                            / "metrics.json").read_text())  # fmt: skip
        for key in volatile:
            found["run"].pop(key, None)
        return found

    kernels: list[object] = []  # the kernel each notebook ran in (None: one of its own)
    execute = run._execute

    def recording(notebook, target, config_path, run_dir, kernel=None):
        kernels.append(kernel)
        return execute(notebook, target, config_path, run_dir, kernel)

    monkeypatch.setattr(run, "_execute", recording)
    shared = metrics(tmp_path / "shared")
    assert kernels and all(k is not None for k in kernels)
    kernels.clear()
    # the shared kernel starts while the data load; a run found large leaves it unused
    monkeypatch.setattr(quality, "LARGE_RUN_ROWS", 0)
    assert metrics(tmp_path / "fresh") == shared
    assert kernels and all(k is None for k in kernels), "a large run must not share a kernel"
