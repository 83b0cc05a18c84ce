#!/usr/bin/env bash
# Builds CLVTools 0.12.1 from its source into a private R library, without testthat.
#
#   CLVTOOLS_GIT=<a clone (bare or not) of github.com/bachmannpatrick/CLVTools> \
#     bash references/clvtools/build_clvtools.sh
#
# Exports tag v0.12.1 (commit 1b06356b0ec07640b532c666aff29e2a3b8393fa) to $SRC, drops the
# testthat hooks (LinkingTo: testthat, src/test-*.cpp, the run_testthat_tests registration)
# and installs with `R CMD INSTALL -l $LIB`. Idempotent: every run starts from a fresh export
# and skips the install when $LIB already holds CLVTools 0.12.1 (FORCE=1 reinstalls).
set -euo pipefail
TAG="${CLVTOOLS_TAG:-v0.12.1}"
COMMIT="1b06356b0ec07640b532c666aff29e2a3b8393fa"
SRC="${CLVTOOLS_SRC:-/tmp/clvtools-src}"
LIB="${CLVTOOLS_LIB:-/tmp/clvtools-lib}"
: "${CLVTOOLS_GIT:?set CLVTOOLS_GIT to a git clone of bachmannpatrick/CLVTools}"

if [ "${FORCE:-0}" != 1 ] && Rscript -e "quit(status = !(packageVersion('CLVTools', lib.loc = '$LIB') == '0.12.1'))" 2>/dev/null; then
  echo "CLVTools 0.12.1 already in $LIB (FORCE=1 to rebuild)"; exit 0
fi

got="$(git -C "$CLVTOOLS_GIT" rev-parse "$TAG^{commit}")"
[ "$got" = "$COMMIT" ] || { echo "tag $TAG is $got, expected $COMMIT" >&2; exit 1; }

rm -rf "$SRC"; mkdir -p "$SRC" "$LIB"
git -C "$CLVTOOLS_GIT" archive "$COMMIT" | tar -x -C "$SRC"

# Drop the testthat hooks so the package compiles without testthat's C++ headers.
sed -i -E 's/^(LinkingTo:.*), *testthat *$/\1/' "$SRC/DESCRIPTION"
grep -q '^LinkingTo:.*testthat' "$SRC/DESCRIPTION" && { echo "LinkingTo still names testthat" >&2; exit 1; }
rm -f "$SRC"/src/test-*.cpp
# R/catch-routine-registration.R only names run_testthat_tests; it is in DESCRIPTION's Collate
# field, so it is emptied rather than deleted.
echo "# testthat routine registration dropped for this build" > "$SRC/R/catch-routine-registration.R"
sed -i -e '/run_testthat_tests/d' "$SRC/src/RcppExports.cpp"
! grep -rq run_testthat_tests "$SRC/src" "$SRC/R"

R CMD INSTALL --no-test-load -l "$LIB" "$SRC"
Rscript -e "library(CLVTools, lib.loc = '$LIB'); cat('CLVTools', format(packageVersion('CLVTools', lib.loc = '$LIB')), 'loads\n')"
