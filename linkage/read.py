"""Read a tax or social-insurance extract into a parsed, validated frame.

    file -> decode (text_encoding.py) -> text table (tables.py) -> headers mapped to aliases
         -> values parsed column-wise (parse/) -> row checks -> ParsedExtract

File-level problems stop the import with one :class:`ExtractError`. Row-level problems
never do: a row without 整理番号 or 氏名 goes to ``quarantine``; any other bad value
becomes null and is listed in ``issues`` as (row_number, record_id, column, reason).
No message, issue or exception carries a cell value.

``frame`` columns, in order: ``row_number`` (Int64, the row in the file, header = row
1), the kind's columns of linkage.schema under their aliases (``my_number`` is the raw
cell text, for the tokeniser only), then the file's unknown columns as ``extra:<header>``
(raw text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

import polars as pl

from rlwb.linkage.errors import ExtractError, ProfileError
from rlwb.linkage.limits import DEFAULT_LIMITS, ReadLimits
from rlwb.linkage.parse.values import PARSERS, ValueProblem
from rlwb.linkage.postal import check_postal_codes
from rlwb.linkage.profiles import ImportProfile
from rlwb.linkage.progress import CancelToken, ProgressCallback, no_progress
from rlwb.linkage.schema import (
    DEPENDENT,
    EXTRA_PREFIX,
    INSURED,
    ColumnSpec,
    ExtractKind,
    Required,
    columns_of,
    header_key,
)
from rlwb.linkage.tables import RawTable, load_table

__all__ = [
    "ISSUE_SCHEMA",
    "QUARANTINE_SCHEMA",
    "ParsedExtract",
    "QuarantineReason",
    "header_key",
    "match_headers",
    "read_extract",
]

ISSUE_SCHEMA: Final = {
    "row_number": pl.Int64(),
    "record_id": pl.String(),
    "column": pl.String(),
    "reason": pl.String(),
}
QUARANTINE_SCHEMA: Final = {"row_number": pl.Int64(), "reason": pl.String()}


class QuarantineReason(StrEnum):
    """Why a row takes no part in linking."""

    RECORD_ID_MISSING = "record_id_missing"
    NAME_MISSING = "name_missing"
    ROW_EMPTY = "row_empty"  # every cell blank


@dataclass
class ParsedExtract:
    kind: ExtractKind
    frame: pl.DataFrame
    quarantine: pl.DataFrame  # row_number, reason
    issues: pl.DataFrame  # row_number, record_id, column, reason
    encoding: str  # utf-8 | utf-8-sig | cp932 | xlsx
    header_mapping: dict[str, str] = field(default_factory=dict)  # file header -> column
    source_rows: int = 0  # data rows in the file (after the header), all of them

    def issue_counts(self) -> pl.DataFrame:
        """Issues counted by column and reason (for the import report)."""
        return self.issues.group_by("column", "reason").len("count").sort(["column", "reason"])


@dataclass
class _Mapping:
    by_index: dict[int, str]  # table column index -> frame column name
    header_mapping: dict[str, str]
    present: set[str]  # aliases the file has


def match_headers(
    raw: RawTable, kind: ExtractKind, profile: ImportProfile | None
) -> list[tuple[int, str, str | None]]:
    """(column index, header text, canonical column or None) for every column worth
    keeping, matched by Japanese header, English alias or the profile. The import and
    the import preview both use this, so they always agree."""
    standard: dict[str, str] = {}
    for spec in columns_of(kind):
        standard[header_key(spec.header)] = spec.alias
        standard[header_key(spec.alias)] = spec.alias
    custom = {header_key(h): alias for h, alias in (profile.columns if profile else {}).items()}
    matched: list[tuple[int, str, str | None]] = []
    for index, header in enumerate(raw.headers):
        text = (header or "").strip()
        if not text:
            if raw.body.get_column(f"c{index}").drop_nulls().len() == 0:
                continue  # an unnamed, empty column (trailing separators): nothing to keep
            text = f"column_{index + 1}"
        key = header_key(text)
        matched.append((index, text, custom.get(key) or standard.get(key)))
    return matched


def _map_headers(
    path: Path, raw: RawTable, kind: ExtractKind, profile: ImportProfile | None
) -> _Mapping:
    labels = {spec.alias: spec.label for spec in columns_of(kind)}
    by_index: dict[int, str] = {}
    header_mapping: dict[str, str] = {}
    taken: dict[str, int] = {}
    extra_names: set[str] = set()
    for index, text, alias in match_headers(raw, kind, profile):
        if alias is None:
            name = f"{EXTRA_PREFIX}{text}"
            suffix = 2
            while name in extra_names:
                name = f"{EXTRA_PREFIX}{text} ({suffix})"
                suffix += 1
            extra_names.add(name)
            by_index[index] = name
            header_mapping[text] = name
            continue
        if alias in taken:
            raise ExtractError(
                path,
                f"columns {taken[alias] + 1} and {index + 1} both give {labels[alias]}.",
                row=raw.header_row,
                advice="Remove or rename one of them, or fix the import profile.",
            )
        taken[alias] = index
        by_index[index] = alias
        header_mapping[text] = alias
    return _Mapping(by_index, header_mapping, set(taken))


def _check_required_columns(path: Path, kind: ExtractKind, mapping: _Mapping) -> None:
    missing = [
        spec
        for spec in columns_of(kind)
        if spec.required is Required.YES and spec.alias not in mapping.present
    ]
    if not missing:
        return
    names = ", ".join(spec.label for spec in missing)
    what = "column" if len(missing) == 1 else "columns"
    raise ExtractError(
        path,
        f"a {kind} extract needs the {what} {names}, which the header row does not have.",
        advice="Add the column (Japanese header or English alias), or map the file's own "
        "header to it in an import profile.",
    )


def _blank(col: pl.Expr) -> pl.Expr:
    return col.is_null() | (col.cast(pl.String).str.strip_chars().str.len_chars() == 0)


def _check_unique_ids(path: Path, text: pl.DataFrame, header: str) -> None:
    ids = text["record_id"].str.strip_chars()
    ids = ids.filter(ids.str.len_bytes() > 0)
    if ids.n_unique() == ids.len():
        return
    dups = text.select(
        pl.col("row_number"), pl.col("record_id").str.strip_chars().alias("id")
    ).filter(pl.col("id").is_duplicated() & (pl.col("id").str.len_bytes() > 0))
    first_id = dups.sort("row_number")["id"][0]
    rows = dups.filter(pl.col("id") == first_id)["row_number"].sort().to_list()
    values = dups["id"].n_unique()
    others = f" ({values - 1} more values are repeated too)" if values > 1 else ""
    shown = " and ".join(str(r) for r in rows[:2]) + (" and others" if len(rows) > 2 else "")
    raise ExtractError(
        path,
        f"整理番号 (record_id) must be unique, but rows {shown} have the same value{others}.",
        column=header,
        advice="Give every row its own 整理番号 and import the file again.",
    )


def _cancel(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


def read_extract(
    path: Path,
    kind: ExtractKind,
    *,
    profile: ImportProfile | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> ParsedExtract:
    specs = columns_of(kind)
    if profile is not None:
        profile.validate()
        if profile.kind != kind:
            raise ProfileError(
                f"The import profile {profile.name!r} is for {profile.kind} extracts, "
                f"not {kind}; choose a {kind} profile."
            )
    path = Path(path)
    progress("decode", 0.0)
    raw = load_table(path, encoding=profile.encoding if profile else None, limits=limits)
    _cancel(cancel)

    progress("parse", 0.35)
    mapping = _map_headers(path, raw, kind, profile)
    _check_required_columns(path, kind, mapping)
    if raw.body.height == 0:
        raise ExtractError(
            path,
            "the file has a header row but no data rows.",
            advice="Export the extract again with its records.",
        )
    text = raw.body.select(
        [pl.col(f"c{i}").alias(name) for i, name in mapping.by_index.items()]
    ).with_columns(raw.row_numbers.alias("row_number"))
    for spec in specs:
        if spec.alias not in text.columns:
            text = text.with_columns(pl.lit(None, pl.String).alias(spec.alias))
    extras = [name for name in mapping.by_index.values() if name.startswith(EXTRA_PREFIX)]
    id_header = next(h for h, a in mapping.header_mapping.items() if a == "record_id")
    _check_unique_ids(path, text, id_header)
    _cancel(cancel)

    content = [spec.alias for spec in specs] + extras
    row_empty = pl.all_horizontal(_blank(pl.col(c)) for c in content)
    quarantine_reason = (
        pl.when(row_empty)
        .then(pl.lit(QuarantineReason.ROW_EMPTY.value))
        .when(_blank(pl.col("record_id")))
        .then(pl.lit(QuarantineReason.RECORD_ID_MISSING.value))
        .when(_blank(pl.col("name")))
        .then(pl.lit(QuarantineReason.NAME_MISSING.value))
    )
    text = text.with_columns(quarantine_reason.alias("__quarantine"))
    quarantine = text.filter(pl.col("__quarantine").is_not_null()).select(
        pl.col("row_number"), pl.col("__quarantine").alias("reason")
    )
    kept = text.filter(pl.col("__quarantine").is_null()).drop("__quarantine")

    columns: list[pl.Series] = [kept["row_number"]]
    for spec in specs:
        values, reasons = PARSERS[spec.value](kept[spec.alias])
        # The parsers already return spec.dtype; strict=False only guarantees that no
        # cast error (whose text would quote cells) can ever be raised here.
        columns.append(values.cast(spec.dtype, strict=False).alias(spec.alias))
        columns.append(reasons.alias(f"__reason:{spec.alias}"))
    columns.extend(kept[c] for c in extras)
    parsed = _check_postal(pl.DataFrame(columns), kept)
    _cancel(cancel)

    progress("validate", 0.7)
    parsed, issues = _row_issues(parsed, kind, specs)
    frame = parsed.select(["row_number", *[s.alias for s in specs], *extras])
    progress("done", 1.0)
    return ParsedExtract(
        kind=kind,
        frame=frame,
        quarantine=quarantine.cast(QUARANTINE_SCHEMA),  # type: ignore[arg-type]
        issues=issues,
        encoding=raw.encoding,
        header_mapping=mapping.header_mapping,
        source_rows=raw.body.height,
    )


def _check_postal(parsed: pl.DataFrame, kept: pl.DataFrame) -> pl.DataFrame:
    """Postal codes against Japan Post's data (linkage.postal): a code a spreadsheet cut
    to 5/6 digits is padded when the address confirms it; an unknown code, or one that
    names another municipality than the address, becomes an issue (the value is kept)."""
    if "postal_code" not in parsed.columns or "address" not in kept.columns:
        return parsed
    restored, reason = check_postal_codes(kept["postal_code"], kept["address"])
    own = pl.col("__reason:postal_code")
    return parsed.with_columns(
        pl.coalesce(pl.col("postal_code"), restored).alias("postal_code"),
        pl.when(restored.is_not_null())
        .then(reason)
        .otherwise(pl.coalesce(own, reason))
        .alias("__reason:postal_code"),
    )


def _row_issues(
    parsed: pl.DataFrame, kind: ExtractKind, specs: tuple[ColumnSpec, ...]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add per-row requirement reasons; return the frame and the issues table."""
    missing = pl.lit(ValueProblem.MISSING.value)
    reasons: dict[str, pl.Expr] = {}
    for spec in specs:
        own = pl.col(f"__reason:{spec.alias}")
        needed: pl.Expr | None = None
        if spec.required is Required.YES:
            needed = pl.lit(True)
        elif spec.required is Required.DEPENDANTS:
            needed = pl.col("coverage_type") == DEPENDENT
        elif spec.required is Required.INSURED:
            needed = pl.col("coverage_type") == INSURED
        if needed is not None:
            blank_needed = needed.fill_null(False) & own.is_null() & pl.col(spec.alias).is_null()
            own = pl.when(blank_needed).then(missing).otherwise(own)
        reasons[spec.alias] = own
    if kind == "si":
        # 被保険者整理番号 must name a row of this file.
        known = parsed["record_id"].drop_nulls()
        ref = pl.col("insured_record_id")
        dangling = ref.is_not_null() & ~ref.is_in(known.implode())
        reasons["insured_record_id"] = (
            pl.when(dangling)
            .then(pl.lit(ValueProblem.INSURED_RECORD_NOT_FOUND.value))
            .otherwise(reasons["insured_record_id"])
        )
    with_reasons = parsed.with_columns(
        expr.alias(f"__reason:{alias}") for alias, expr in reasons.items()
    )
    if kind == "si":
        with_reasons = with_reasons.with_columns(
            pl.when(pl.col("__reason:insured_record_id").is_null())
            .then(pl.col("insured_record_id"))
            .alias("insured_record_id")
        )
    reason_cols = [f"__reason:{spec.alias}" for spec in specs]
    # One small filter per column: far cheaper than unpivoting every row.
    parts = [
        with_reasons.filter(pl.col(f"__reason:{spec.alias}").is_not_null()).select(
            pl.col("row_number"),
            pl.col("record_id"),
            pl.lit(spec.alias, pl.String).alias("column"),
            pl.col(f"__reason:{spec.alias}").alias("reason"),
        )
        for spec in specs
    ]
    issues = (
        pl.concat(parts, how="vertical")
        .cast(ISSUE_SCHEMA)  # type: ignore[arg-type]
        .sort("row_number", "column")
    )
    return with_reasons.drop(reason_cols), issues
