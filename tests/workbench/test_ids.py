import re
from datetime import UTC, datetime

from rlwb.workbench.ids import new_id


def test_ids_never_hold_twelve_digits_in_a_row() -> None:
    # 09:00:00 on a day whose digits could otherwise join a numeric suffix.
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    ids = {new_id("tax", now) for _ in range(2000)}
    assert len(ids) == 2000
    for value in ids:
        assert value.startswith("tax-20261102T090000-")
        assert not re.search(r"[0-9](?:[^A-Za-z]?[0-9]){11}", value)
