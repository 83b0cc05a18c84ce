#!/usr/bin/env bash
# Create the separate virtualenv that runs lifetimes 0.11.3 for the side-by-side benchmark.
# lifetimes is unmaintained and needs old numpy/pandas/scipy, so it never enters the project's
# .venv. Idempotent: does nothing when the venv is already complete (its stamp file lists the
# same pins as below; a venv made with other pins is made again).
#
#   bash benchmarks/lifetimes_env.sh            # creates benchmarks/.venv-lifetimes
#   PYTHON=python3.11 bash benchmarks/lifetimes_env.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${LIFETIMES_VENV:-$HERE/.venv-lifetimes}"
STAMP="$VENV/.installed"
PYTHON="${PYTHON:-python3}"
PINS=(
    "lifetimes==0.11.3"
    "numpy==1.26.4"
    "pandas==1.5.3"
    "scipy==1.11.4"
    "autograd==1.6.2"
    "dill==0.3.8"
    "pyarrow==15.0.2"  # pandas.read_parquet for the scale benchmark (bench_scale.py)
    "setuptools<82"  # lifetimes imports pkg_resources-era helpers via autograd/dill
)

WANTED="$(printf '%s\n' "${PINS[@]}")"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANTED" ]]; then
    exit 0
fi

"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "lifetimes 0.11.3 with numpy 1.26.4 needs Python 3.11 (found %s); set PYTHON=python3.11" % sys.version.split()[0])'

echo "creating $VENV (lifetimes 0.11.3, pinned numpy/pandas/scipy) ..." >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "${PINS[@]}"
"$VENV/bin/python" -c 'import lifetimes, numpy, pandas, scipy; print("lifetimes", lifetimes.__version__, "numpy", numpy.__version__, "pandas", pandas.__version__, "scipy", scipy.__version__)' >&2
printf '%s\n' "${PINS[@]}" > "$STAMP"
