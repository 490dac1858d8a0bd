"""The linking view of an imported dataset.

Linking needs a handful of columns of each stored dataset plus the match keys of
``linkage.normalise``. :func:`prepare_records` selects them once, adds a row index
(``_i``, the position in the prepared frame, so pairs are integer joins and gathers)
and derives ``birth_year``. Extra columns (``extra:*`` and the rest) are ignored.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from rlwb.linkage.errors import MissingColumns
from rlwb.linkage.normalise import KEY_COLUMNS, add_match_keys

INDEX: Final = "_i"

#: Input columns linking reads; all but record_id may be absent (then unknown).
_OPTIONAL: Final[dict[str, pl.DataType]] = {
    "token": pl.Binary(),
    "token_version": pl.Int32(),
    "name": pl.String(),
    "name_kana": pl.String(),
    "birth_date": pl.Date(),
    "sex": pl.String(),
    "postal_code": pl.String(),
    "address": pl.String(),
}


def prepare_records(frame: pl.DataFrame, side: str) -> pl.DataFrame:
    """Columns linking needs, the match keys, ``birth_year`` and the row index ``_i``.

    ``side`` ("tax" or "si") only names the dataset in error messages.
    """
    if "record_id" not in frame.columns:
        raise MissingColumns(
            f"The {side} dataset has no record_id column; import it again with its "
            "整理番号 column mapped."
        )
    if frame.height and frame["record_id"].null_count():
        raise MissingColumns(
            f"The {side} dataset has rows without a record_id; every imported row needs one."
        )
    if frame["record_id"].n_unique() != frame.height:
        raise MissingColumns(
            f"The {side} dataset has duplicate record_id values; record ids must be unique "
            "within a dataset. Import the extract again."
        )
    columns = [pl.col("record_id").cast(pl.String)]
    for name, dtype in _OPTIONAL.items():
        if name in frame.columns:
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype).alias(name))
    keys_present = all(key in frame.columns for key in KEY_COLUMNS)
    if keys_present:
        columns.extend(pl.col(key).cast(pl.String) for key in KEY_COLUMNS)
    selected = frame.select(columns)
    if not keys_present:
        selected = add_match_keys(selected)
    # The raw name and address are not needed past this point: the keys carry them.
    selected = selected.drop("name", "name_kana", "postal_code", "address")
    return selected.with_columns(
        pl.col("birth_date").dt.year().cast(pl.Int32).alias("birth_year"),
        # Sex is compared as given ("M"/"F"); anything else counts as unknown.
        pl.when(pl.col("sex").is_in(["M", "F"])).then(pl.col("sex")).alias("sex"),
    ).with_row_index(INDEX)
