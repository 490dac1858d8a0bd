"""The whole clerk pipeline at scale through the real services, timed phase by phase.

    .venv/bin/python bench/bench_pipeline.py                    # 100,000 persons
    .venv/bin/python bench/bench_pipeline.py --persons 1000000  # the issue's 1M × 1M run

Generates paired extracts with fixtures/ and writes both as CP932 CSV, then in one
process each (so peak memory is per phase): the floor — a plain polars read of both
files (decoded from CP932 in memory) and an inner join on the raw number column; the
import of the tax file; the import of the SI file; reconciliation. Prints seconds, peak
RSS and the ratio to the floor. The workspace uses the passphrase key store in a temp
directory (no OS keyring needed). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASS = "bench passphrase"
ADMIN = ("admin", "bench-admin-password")
CLERK = ("clerk", "bench-clerk-password")


def _access(root: Path):  # type: ignore[no-untyped-def]
    from rlwb.crypto.keystore import PassphraseMasterKeyStore
    from rlwb.workbench.keyaccess import KeyAccess

    return KeyAccess(PassphraseMasterKeyStore(root / "ws", lambda: PASS), None, root / "state")


def _open(root: Path):  # type: ignore[no-untyped-def]
    from rlwb.workbench.services.session import login
    from rlwb.workbench.workspace import Workspace

    ws = Workspace.open(root / "ws", access=_access(root))
    return ws, login(ws, *CLERK)


def phase_floor(root: Path) -> str:
    import io

    import polars as pl

    frames = [
        pl.read_csv(
            io.BytesIO((root / f"{k}.csv").read_bytes().decode("cp932").encode()),
            infer_schema=False,
        )
        for k in ("tax", "si")
    ]
    joined = frames[0].join(frames[1], on="個人番号", how="inner", suffix="_si")
    return f"rows {frames[0].height:,} + {frames[1].height:,}, joined {joined.height:,}"


def phase_import(root: Path, kind: str) -> str:
    from rlwb.workbench.services.imports import import_extract

    ws, clerk = _open(root)
    steps: list[tuple[str, float]] = []

    def progress(step: str, fraction: float) -> None:
        steps.append((step, time.perf_counter()))

    report = import_extract(clerk, root / f"{kind}.csv", kind, progress=progress)  # type: ignore[arg-type]
    ws.close()
    split = ", ".join(
        f"{name} {later - at:.1f}s" for (name, at), (_, later) in itertools.pairwise(steps)
    )
    return f"{report.rows:,} rows, {report.quarantined} quarantined ({split})"


def phase_reconcile(root: Path) -> str:
    from rlwb.workbench.services.reconcile import reconcile_datasets

    ws, clerk = _open(root)
    run = reconcile_datasets(clerk)
    ws.close()
    keys = ("token", "probabilistic", "review", "tax_only", "si_only")
    return ", ".join(f"{k} {run.summary.get(k, 0):,}" for k in keys)


def _peak_mb() -> float:
    """VmHWM of this process (ru_maxrss would carry the parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(fn: Callable[..., str], args: tuple[object, ...], queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    start = time.perf_counter()
    text = fn(*args)
    seconds = time.perf_counter() - start
    peak_mb = _peak_mb()
    queue.put((seconds, peak_mb, text))


def run_phase(name: str, fn: Callable[..., str], *args: object) -> float:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    seconds, peak_mb, text = queue.get()
    proc.join()
    print(f"{name:18} {seconds:8.2f} s   peak {peak_mb:8.0f} MB   {text}", flush=True)
    return float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from rlwb.fixtures.generate import generate
    from rlwb.fixtures.write import write_csv
    from rlwb.workbench.services.session import login
    from rlwb.workbench.services.users import add_user
    from rlwb.workbench.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        pair = generate(args.persons, seed=args.seed)
        write_csv(pair.tax, root / "tax.csv", "cp932")
        write_csv(pair.si, root / "si.csv", "cp932")
        sizes = ", ".join(
            f"{k}.csv {(root / f'{k}.csv').stat().st_size / 1e6:.0f} MB" for k in ("tax", "si")
        )
        print(
            f"generated {args.persons:,} persons in {time.perf_counter() - start:.1f} s ({sizes})"
        )
        del pair
        (root / "ws").mkdir()
        ws = Workspace.create(
            root / "ws", access=_access(root), admin_name=ADMIN[0], admin_password=ADMIN[1]
        )
        add_user(login(ws, *ADMIN), CLERK[0], CLERK[1], ["clerk"])
        ws.users.set_password(*CLERK, must_change=False)  # no forced first change here
        ws.close()

        floor = run_phase("floor read+join", phase_floor, root)
        t_tax = run_phase("import tax", phase_import, root, "tax")
        t_si = run_phase("import si", phase_import, root, "si")
        t_rec = run_phase("reconcile", phase_reconcile, root)
        total = t_tax + t_si + t_rec
        print(
            f"ratio to floor: import {(t_tax + t_si) / floor:.1f}×, whole pipeline {total / floor:.1f}×"
        )


if __name__ == "__main__":
    main()
