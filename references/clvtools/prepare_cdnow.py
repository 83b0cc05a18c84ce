"""Turn the CDNOW 1/10 sample (2,357 customers) into the CSVs CLVTools is fitted on (stdlib only).

Reads ``CDNOW_sample.txt`` (whitespace-separated: master id, sample id 1..2357, date YYYYMMDD,
number of CDs, dollar value) and writes, into ``tests/data/clvtools/``:

- ``cdnow_transactions.csv``: ``Id`` (sample id), ``Date`` (ISO), ``Price`` (dollars), one row
  per input record; CLVTools sums same-day records into one purchase.
- ``cdnow_customers.csv``: one row per customer with three static covariates:
  ``cohort`` (month of the first purchase: ``jan`` = reference, ``feb``, ``mar``; real),
  ``multi_cd`` (1 when the first purchase day had more than one CD, else 0; real) and
  ``group`` (``a`` = reference or ``b``, a seeded fair coin: a covariate with no effect).

Run: ``python references/clvtools/prepare_cdnow.py [path/to/CDNOW_sample.txt]``.
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "clvtools"
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "tests" / "data" / "CDNOW_sample.txt"
GROUP_SEED = 18003
MONTHS = {"01": "jan", "02": "feb", "03": "mar"}


def main(source: Path) -> None:
    """Write the transactions and customers CSVs from the raw CDNOW sample at `source`."""
    records = [line.split() for line in source.read_text().splitlines() if line.strip()]
    cds_by_day: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "cdnow_transactions.csv", "w") as f:
        f.write("Id,Date,Price\n")
        for _master, sample_id, ymd, cds, dollars in records:
            customer = int(sample_id)
            cds_by_day[customer][ymd] += int(cds)
            f.write(f"{customer},{ymd[:4]}-{ymd[4:6]}-{ymd[6:]},{dollars}\n")
    coin = random.Random(GROUP_SEED)
    with open(OUT / "cdnow_customers.csv", "w") as f:
        f.write("Id,cohort,multi_cd,group\n")
        for customer in sorted(cds_by_day):
            first_day = min(cds_by_day[customer])
            multi_cd = int(cds_by_day[customer][first_day] > 1)
            group = "b" if coin.random() < 0.5 else "a"
            f.write(f"{customer},{MONTHS[first_day[4:6]]},{multi_cd},{group}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)
