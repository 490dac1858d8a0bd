"""At import, every cell of every column goes through the 個人番号 screen before storage.

The main 個人番号 column is tokenised by the import service. Every other column of the
parsed extract is screened here (workbench.number_screen does the finding):

- a column of the file's own whose header names a 個人番号 (控除対象配偶者個人番号,
  扶養親族個人番号, マイナンバー, …) is dropped, whatever its cells hold;
- a column of the file's own whose non-blank cells are mostly whole 個人番号 (any width,
  spaces or dashes) is dropped;
- in every other text column, a number inside the text is masked (``************``);
- in a number column (amounts), a value that is a 個人番号 becomes unknown, with an issue;
- a header that holds a number is masked too (it becomes the stored column name);
- 整理番号 holding a number stops the import: it is stored and shown, so it cannot
  carry the number, and masking it would make the records indistinguishable.

What was done is returned per column for the import report; no value is ever in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from rlwb.linkage.read import ISSUE_SCHEMA, header_key
from rlwb.linkage.schema import EXTRA_PREFIX
from rlwb.workbench.errors import InvalidInput
from rlwb.workbench.number_screen import integer_numbers, mask_numbers, mask_text, whole_numbers

#: Header words (compared as linkage.read.header_key does) that name a 個人番号 column.
NUMBER_HEADER_WORDS = ("個人番号", "マイナンバー", "mynumber", "myナンバー", "個人no")
#: A column of the file's own is a 個人番号 column when at least this share of its
#: non-blank cells are whole numbers.
NUMBER_COLUMN_SHARE = 0.5
ISSUE_REASON = "my_number_in_cell"
_SKIP = ("row_number", "my_number")

#: What the screen can do to a column, as the import report says it (English; the UI
#: has its own words for each under ``import.screen.<action>``).
ACTIONS = {
    "dropped_by_header": "dropped: the header names a 個人番号",
    "dropped_by_content": "dropped: its cells are 個人番号",
    "masked": "{count} cells held a 個人番号: masked",
    "made_unknown": "{count} values were a 個人番号: made unknown",
    "header_masked": "the header held a 個人番号: masked in the column name",
}


@dataclass(frozen=True)
class ColumnAction:
    action: str  # a key of ACTIONS
    count: int = 0  # cells or values concerned (0 for a whole column)

    def describe(self) -> str:
        return ACTIONS[self.action].format(count=self.count)


@dataclass
class ScreenedExtract:
    frame: pl.DataFrame
    #: Column (the file's header, or the alias) -> what was done.
    actions: dict[str, ColumnAction] = field(default_factory=dict)
    #: Issues added (row_number, record_id, column, reason), never a value.
    issues: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ISSUE_SCHEMA))


def names_a_number(header: str) -> bool:
    key = header_key(header).replace("_", "").replace("-", "").replace("・", "")
    return any(word in key for word in NUMBER_HEADER_WORDS)


def _safe_name(column: str) -> str:
    return mask_text(column)


def screen_extract(frame: pl.DataFrame) -> ScreenedExtract:
    """Screen every column but ``row_number`` and ``my_number`` of a parsed extract."""
    result = ScreenedExtract(frame)
    renames = {c: _safe_name(c) for c in frame.columns if c not in _SKIP}
    renames = {old: new for old, new in renames.items() if old != new}
    if renames:
        frame = frame.rename(renames)
        for new in renames.values():
            _add(result, new, ColumnAction("header_masked"))
    if "record_id" in frame.columns:
        _refuse_numbered_ids(frame)
    issues: list[pl.DataFrame] = []
    for column in frame.columns:
        if column in _SKIP or column == "record_id":
            continue
        values = frame[column]
        if column.startswith(EXTRA_PREFIX):
            header = column[len(EXTRA_PREFIX) :]
            if names_a_number(header):
                frame = frame.drop(column)
                result.actions[header] = ColumnAction("dropped_by_header")
                continue
            if values.dtype == pl.String and _mostly_numbers(values):
                frame = frame.drop(column)
                result.actions[header] = ColumnAction("dropped_by_content")
                continue
        if values.dtype == pl.String:
            masked = mask_numbers(values)
            if masked.cells:
                frame = frame.with_columns(masked.values.alias(column))
                _add(result, column, ColumnAction("masked", masked.cells))
        elif values.dtype.is_integer():
            hits = integer_numbers(values)
            count = int(hits.sum())
            if count:
                issues.append(
                    frame.filter(hits).select(
                        "row_number",
                        "record_id",
                        pl.lit(column).alias("column"),
                        pl.lit(ISSUE_REASON).alias("reason"),
                    )
                )
                frame = frame.with_columns(
                    pl.when(hits).then(None).otherwise(pl.col(column)).alias(column)
                )
                _add(result, column, ColumnAction("made_unknown", count))
    result.frame = frame
    if issues:
        result.issues = pl.concat([i.cast(ISSUE_SCHEMA) for i in issues])  # type: ignore[arg-type]
    return result


def _add(result: ScreenedExtract, column: str, action: ColumnAction) -> None:
    name = column[len(EXTRA_PREFIX) :] if column.startswith(EXTRA_PREFIX) else column
    result.actions[name] = action


def _mostly_numbers(values: pl.Series) -> bool:
    filled = values.drop_nulls()
    filled = filled.filter(filled.str.strip_chars().str.len_chars() > 0)
    if filled.len() == 0:
        return False
    return int(whole_numbers(filled).sum()) >= NUMBER_COLUMN_SHARE * filled.len()


def _refuse_numbered_ids(frame: pl.DataFrame) -> None:
    masked = mask_numbers(frame["record_id"])
    if masked.cells == 0:
        return
    rows = frame.filter(masked.values != frame["record_id"])["row_number"].head(1).to_list()
    raise InvalidInput(
        f"整理番号 (record_id) holds a 個人番号 in {masked.cells} rows (first: row {rows[0]}). "
        "整理番号 is stored and shown, so it must not be the 個人番号: export the extract "
        "with another record number and import it again."
    )
