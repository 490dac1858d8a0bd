"""Hand-built stored datasets for the linking and rules tests.

Frames follow the stored-dataset contract (one row per record, tokens instead of
numbers). A stand-in token is the SHA-256 of a made-up number: fine for tests, where no
real number exists; the application uses keyed HMAC tokens from crypto/.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import polars as pl

COMMON: dict[str, pl.DataType] = {
    "row_number": pl.Int64(),
    "record_id": pl.String(),
    "token": pl.Binary(),
    "token_version": pl.Int32(),
    "id_problem": pl.String(),
    "name": pl.String(),
    "name_kana": pl.String(),
    "birth_date": pl.Date(),
    "sex": pl.String(),
    "postal_code": pl.String(),
    "address": pl.String(),
}
TAX: dict[str, pl.DataType] = {
    **COMMON,
    "payment_amount": pl.Int64(),
    "withholding_tax": pl.Int64(),
    "payer_corporate_number": pl.String(),
    "payer_name": pl.String(),
    "tax_year": pl.Int32(),
}
SI: dict[str, pl.DataType] = {
    **COMMON,
    "basic_pension_number": pl.String(),
    "coverage_type": pl.String(),
    "relationship": pl.String(),
    "insured_record_id": pl.String(),
    "standard_monthly_remuneration": pl.Int64(),
    "coverage_start": pl.Date(),
    "coverage_end": pl.Date(),
    "employer_corporate_number": pl.String(),
    "employer_name": pl.String(),
}

EMPLOYER = "7123456789012"
OTHER_EMPLOYER = "5835678256246"


def token(number: str | None) -> bytes | None:
    """Stand-in token of a made-up number (None stays None)."""
    return None if number is None else hashlib.sha256(b"test\x00" + number.encode()).digest()


def person(
    number: str | None,
    name: str = "山田 太郎",
    kana: str | None = "ヤマダ タロウ",
    birth: date | None = date(1980, 4, 1),
    sex: str | None = "M",
    postal: str | None = "1000001",
    address: str | None = "東京都千代田区千代田1-1",
) -> dict[str, Any]:
    """Identity columns of one person (the token is made from ``number``)."""
    return {
        "token": token(number),
        "id_problem": None if number is not None else "missing",
        "name": name,
        "name_kana": kana,
        "birth_date": birth,
        "sex": sex,
        "postal_code": postal,
        "address": address,
    }


def _frame(
    rows: list[dict[str, Any]], schema: dict[str, pl.DataType], prefix: str, version: int
) -> pl.DataFrame:
    filled = []
    for position, row in enumerate(rows, start=1):
        record = dict.fromkeys(schema)
        record.update(
            row_number=position, record_id=f"{prefix}{position:04d}", token_version=version
        )
        record.update(row)
        filled.append(record)
    return pl.DataFrame(filled, schema=schema)


def tax_frame(rows: list[dict[str, Any]], *, version: int = 1) -> pl.DataFrame:
    """Tax dataset: each row is ``person(...)`` plus optional tax columns."""
    defaults = {
        "payment_amount": 3_000_000,
        "tax_year": 2025,
        "payer_corporate_number": EMPLOYER,
        "payer_name": "株式会社テスト",
    }
    return _frame([{**defaults, **r} for r in rows], TAX, "T", version)


def si_frame(rows: list[dict[str, Any]], *, version: int = 1) -> pl.DataFrame:
    """SI dataset: each row is ``person(...)`` plus optional SI columns."""
    defaults = {
        "coverage_type": "insured",
        "standard_monthly_remuneration": 240_000,
        "coverage_start": date(2015, 4, 1),
        "employer_corporate_number": EMPLOYER,
        "employer_name": "株式会社テスト",
    }
    return _frame([{**defaults, **r} for r in rows], SI, "S", version)


def outcome_of(links: pl.DataFrame, tax_id: str | None, si_id: str | None) -> str | None:
    """Outcome of the row with exactly these two ids (None when there is none)."""
    rows = links.filter(
        pl.col("tax_record_id").eq_missing(pl.lit(tax_id, pl.String))
        & pl.col("si_record_id").eq_missing(pl.lit(si_id, pl.String))
    )
    return None if rows.is_empty() else str(rows["outcome"][0])


def links_frame(rows: list[tuple[str | None, str | None, str]]) -> pl.DataFrame:
    """A hand-made links table: (tax_record_id, si_record_id, outcome) per row."""
    return pl.DataFrame(
        rows,
        schema={"tax_record_id": pl.String, "si_record_id": pl.String, "outcome": pl.String},
        orient="row",
    ).with_columns(
        pl.lit(None, pl.Float64).alias("match_weight"),
        pl.lit(None, pl.Float64).alias("match_probability"),
        *(
            pl.lit(None, pl.Int8).alias(c)
            for c in ("agree_name", "agree_birth_date", "agree_sex", "agree_address")
        ),
        pl.lit(None, pl.Boolean).alias("token_match"),
        pl.lit(None, pl.Boolean).alias("identity_conflict"),
    )


def codes(findings: pl.DataFrame, code: str) -> pl.DataFrame:
    """The findings of one rule."""
    return findings.filter(pl.col("code") == code)


def stored_from_file_form(frame: pl.DataFrame, kind: str, folder: Any) -> pl.DataFrame:
    """A generated extract (file form) imported the way the workbench stores it, with
    stand-in tokens: CSV -> linkage.read -> canonical number -> SHA-256 -> token."""
    from pathlib import Path

    from rlwb.crypto.identifiers import canonical_my_number, is_valid_corporate_number
    from rlwb.fixtures import write_csv
    from rlwb.linkage.read import read_extract

    path = write_csv(frame, Path(folder) / f"{kind}.csv")
    parsed = read_extract(path, kind)  # type: ignore[arg-type]
    checked = [canonical_my_number(v) for v in parsed.frame["my_number"].to_list()]
    stored = parsed.frame.drop("my_number").with_columns(
        pl.Series("token", [token(c) for c, _ in checked], dtype=pl.Binary),
        pl.Series(
            "id_problem", [None if p is None else str(p) for _, p in checked], dtype=pl.String
        ),
        pl.lit(1, pl.Int32).alias("token_version"),
    )
    for column in ("payer_corporate_number", "employer_corporate_number"):
        if column in stored.columns:
            stored = stored.with_columns(
                pl.when(
                    pl.col(column).map_elements(is_valid_corporate_number, return_dtype=pl.Boolean)
                )
                .then(pl.col(column))
                .alias(column)
            )
    return stored
