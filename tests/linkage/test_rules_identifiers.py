"""R04, R05, R06: findings about identifiers."""

from __future__ import annotations

from datetime import date

from rlwb.linkage.link import link
from rlwb.linkage.rules import evaluate, load_rules
from tests.linkage.linkframes import codes, links_frame, person, si_frame, tax_frame

RULES = load_rules()
HANAKO = dict(
    name="鈴木 花子",
    kana="スズキ ハナコ",
    sex="F",
    birth=date(1990, 2, 3),
    postal="5300001",
    address="大阪府大阪市北区梅田3-1-1",
)


def test_r04_fires_for_a_token_match_with_an_identity_conflict() -> None:
    tax, si = tax_frame([person("2"), person("1")]), si_frame([person("2", **HANAKO), person("1")])
    links = link(tax, si).links
    fired = codes(evaluate(tax, si, links, RULES), "R04")
    assert fired.select("tax_record_id", "si_record_id").rows() == [("T0001", "S0001")]
    row = fired.row(0, named=True)
    assert row["severity"] == "high" and row["name"] == "IDENTITY_CONFLICT"
    assert "name" in row["detail"] and "birth date" in row["detail"]
    assert "鈴木" not in row["detail"] and "山田" not in row["detail"]


def test_r04_does_not_fire_for_a_confirmed_token_match() -> None:
    tax, si = tax_frame([person("1")]), si_frame([person("1")])
    assert codes(evaluate(tax, si, link(tax, si).links, RULES), "R04").is_empty()


def test_r05_fires_for_one_token_on_two_different_people() -> None:
    tax = tax_frame([person("1"), person("1", **HANAKO), person("3")])
    fired = codes(evaluate(tax, si_frame([]), links_frame([]), RULES), "R05")
    assert sorted(fired["tax_record_id"].to_list()) == ["T0001", "T0002"]
    assert fired["si_record_id"].null_count() == 2
    assert "2 records of the tax extract" in fired["detail"][0]


def test_r05_does_not_fire_for_one_person_with_two_payers() -> None:
    tax = tax_frame([person("1"), person("1") | {"payer_corporate_number": "5835678256246"}])
    assert codes(evaluate(tax, si_frame([]), links_frame([]), RULES), "R05").is_empty()


def test_r05_checks_the_social_insurance_extract_too() -> None:
    si = si_frame([person("7"), person("7", **HANAKO)])
    fired = codes(evaluate(tax_frame([]), si, links_frame([]), RULES), "R05")
    assert sorted(fired["si_record_id"].to_list()) == ["S0001", "S0002"]


def test_r06_records_the_kind_of_problem_never_the_value() -> None:
    tax = tax_frame([person(None), person(None) | {"id_problem": "check_digit"}, person("1")])
    si = si_frame([person(None) | {"id_problem": "malformed"}])
    fired = codes(evaluate(tax, si, links_frame([]), RULES), "R06")
    by_record = {
        (r["tax_record_id"], r["si_record_id"]): r["detail"] for r in fired.iter_rows(named=True)
    }
    assert set(by_record) == {("T0001", None), ("T0002", None), (None, "S0001")}
    assert by_record[("T0001", None)].startswith("No 個人番号 was given")
    assert "check digit" in by_record[("T0002", None)]
    assert "malformed" in by_record[(None, "S0001")]
    assert set(fired["severity"]) == {"info"}
    assert not fired["detail"].str.contains(r"\d{4}").any()
