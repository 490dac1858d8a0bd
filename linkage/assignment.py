"""One-to-one assignment of scored candidate pairs.

A person appears once in each extract (apart from several payers on the tax side,
which only the token join can tell apart), so each record keeps at most one
probabilistic partner: greedy by weight, best pair first. Greedy gives the same answer
as repeatedly taking the pairs that are each other's best choice, is easy to explain to
a clerk ("a better-scoring pair took this record"), and runs in one pass.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def assign_one_to_one(scored: pl.DataFrame, *, n_tax: int, n_si: int) -> pl.DataFrame:
    """The rows of ``scored`` (tax_i, si_i, match_weight, ...) kept by greedy assignment.

    Ties are broken by record position so the result does not depend on row order.
    """
    if not scored.height:
        return scored
    ordered = scored.sort(
        ["match_weight", "tax_i", "si_i"], descending=[True, False, False], nulls_last=True
    )
    tax_i = ordered["tax_i"].to_numpy()
    si_i = ordered["si_i"].to_numpy()
    tax_taken = np.zeros(n_tax, dtype=bool)
    si_taken = np.zeros(n_si, dtype=bool)
    keep = np.zeros(ordered.height, dtype=bool)
    for row in range(ordered.height):
        t, s = tax_i[row], si_i[row]
        if tax_taken[t] or si_taken[s]:
            continue
        tax_taken[t] = True
        si_taken[s] = True
        keep[row] = True
    return ordered.filter(pl.Series(keep))
