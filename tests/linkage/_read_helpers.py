"""Small synthetic extract files for the reader tests (synthetic data only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

# A synthetic 個人番号 with a valid check digit (docs/tokens.md example). Tests assert it
# never appears in an issue, quarantine row, warning or exception message.
MY_NUMBER = "621498320257"

TAX_HEADER = [
    "整理番号", "個人番号", "氏名", "フリガナ", "生年月日", "性別", "郵便番号", "住所",
    "支払金額", "源泉徴収税額", "支払者法人番号", "支払者名称", "年分",
]  # fmt: skip

SI_HEADER = [
    "整理番号", "個人番号", "基礎年金番号", "氏名", "フリガナ", "生年月日", "性別", "郵便番号",
    "住所", "資格区分", "続柄", "被保険者整理番号", "標準報酬月額", "資格取得年月日",
    "資格喪失年月日", "事業所法人番号", "事業所名称",
]  # fmt: skip


def tax_row(record_id: str = "T001", **changes: str) -> dict[str, str]:
    row = {
        "整理番号": record_id,
        "個人番号": MY_NUMBER,
        "氏名": "髙橋　一郎",
        "フリガナ": "ﾀｶﾊｼ ｲﾁﾛｳ",
        "生年月日": "昭和60年4月1日",
        "性別": "男",
        "郵便番号": "〒105-0014",
        "住所": "東京都港区芝二丁目1番地2号",
        "支払金額": "1,234,567",
        "源泉徴収税額": "12000",
        "支払者法人番号": "7123456789012",
        "支払者名称": "株式会社サンプル",
        "年分": "令和6",
    }
    row.update(changes)
    return row


def si_row(record_id: str = "S001", **changes: str) -> dict[str, str]:
    row = {
        "整理番号": record_id,
        "個人番号": MY_NUMBER,
        "基礎年金番号": "1234-567890",
        "氏名": "山﨑 花子",
        "フリガナ": "やまざき はなこ",
        "生年月日": "1985-04-01",
        "性別": "2",
        "郵便番号": "1050014",
        "住所": "東京都港区芝2-1-2",
        "資格区分": "被保険者",
        "続柄": "",
        "被保険者整理番号": "",
        "標準報酬月額": "300000",
        "資格取得年月日": "R1.5.1",
        "資格喪失年月日": "",
        "事業所法人番号": "7123456789012",
        "事業所名称": "株式会社サンプル",
    }
    row.update(changes)
    return row


def csv_bytes(
    header: Sequence[str], rows: Sequence[dict[str, str] | Sequence[str]], encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    return buffer.getvalue().encode(encoding)


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[dict[str, str] | Sequence[str]],
    encoding: str = "utf-8",
) -> Path:
    path.write_bytes(csv_bytes(header, rows, encoding))
    return path
