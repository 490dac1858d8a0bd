"""write_private_new: owner-only, never through a symlink, never over a file unless asked."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from rlwb.crypto._files import write_private_new


def test_a_new_file_is_owner_only_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_private_new(target, lambda f: f.write(b"data"))
    assert target.read_bytes() == b"data"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_an_existing_file_is_kept_unless_replace(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"earlier")
    with pytest.raises(FileExistsError):
        write_private_new(target, lambda f: f.write(b"new"))
    assert target.read_bytes() == b"earlier"
    write_private_new(target, lambda f: f.write(b"new"), replace=True)
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("replace", [False, True])
def test_a_symlink_is_never_written_through(tmp_path: Path, replace: bool) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    link = tmp_path / "out.csv"
    link.symlink_to(victim)
    with pytest.raises(OSError) as caught:
        write_private_new(link, lambda f: f.write(b"evil"), replace=replace)
    assert caught.value.errno == errno.ELOOP
    assert victim.read_bytes() == b"keep" and link.is_symlink()


def test_without_hard_links_the_name_is_reserved_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "out.csv"
    write_private_new(target, lambda f: f.write(b"data"))
    assert target.read_bytes() == b"data"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        write_private_new(target, lambda f: f.write(b"again"))
    assert target.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_failing_writer_leaves_nothing(tmp_path: Path) -> None:
    def fail(f: object) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_private_new(tmp_path / "out.csv", fail)
    assert list(tmp_path.iterdir()) == []
