#!/usr/bin/env bash
# Installs R and every package CLVTools 0.12.1 needs from Debian (bookworm), so that
# build_clvtools.sh can compile CLVTools from source. Run as root (or it uses sudo).
# Not part of `make test`: only needed to rebuild the committed references.
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y \
  r-base-core r-base-dev libgsl-dev \
  r-cran-data.table r-cran-digest r-cran-formula r-cran-ggplot2 r-cran-lubridate \
  r-cran-numderiv r-cran-matrix r-cran-mass r-cran-optimx r-cran-rcpp \
  r-cran-rcpparmadillo r-cran-rcppgsl r-cran-jsonlite
