"""A writer killed with SIGKILL loses no acknowledged event and leaves a log that verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from rlwb.workbench.audit.checkpoints import FileCheckpointSink
from rlwb.workbench.audit.verify import verify_log
from tests.workbench.test_audit_support import WORKSPACE_ID, open_db

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import hashlib, sqlite3, sys
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from pathlib import Path
    from rlwb.workbench.audit.checkpoints import FileCheckpointSink
    from rlwb.workbench.audit.events import Actor, EventDraft, EventType, Outcome, PersonRef, Workstation
    from rlwb.workbench.audit.log import AuditLog
    from rlwb.workbench.audit.schema import install_authorizer

    db, key_hex, sink, workspace_id = sys.argv[1:5]
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    install_authorizer(conn)
    log = AuditLog(
        conn,
        workspace_id=workspace_id,
        signer=Ed25519PrivateKey.from_private_bytes(bytes.fromhex(key_hex)),
        workstation=Workstation("crash-desk", "tester", "0.1.0"),
        external=FileCheckpointSink(Path(sink)),
        checkpoint_every=7,
    )
    clerk = Actor("sato", ("clerk",))
    i = 0
    while True:
        i += 1
        token = hashlib.sha256(str(i).encode()).hexdigest()
        persons = (PersonRef(token, 1),) if i % 2 else ()
        if i % 5:
            event = log.append(EventDraft(EventType.REVEAL, Outcome.OK, clerk, persons=persons, details={"i": i}))
        else:
            event = log.append_many([EventDraft(EventType.SEARCH, Outcome.OK, clerk)] * 3)[-1]
        print(event.seq, flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_sigkill_loses_no_acknowledged_event(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    open_db(db).close()
    key = Ed25519PrivateKey.generate()
    key_hex = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()
    sink = tmp_path / "checkpoints.jsonl"
    script = tmp_path / "writer.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, str(script), str(db), key_hex, str(sink), WORKSPACE_ID],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    acknowledged: list[int] = []
    try:
        assert child.stdout is not None
        while len(acknowledged) < 60:
            line = child.stdout.readline()
            if not line:
                pytest.fail(
                    f"the writer stopped early: {child.stderr.read() if child.stderr else ''}"
                )
            acknowledged.append(int(line))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        if child.stdout:
            child.stdout.close()
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    conn = open_db(db, schema=False)
    seqs = {row[0] for row in conn.execute("SELECT seq FROM audit_events")}
    assert set(acknowledged) <= seqs
    assert max(seqs) >= acknowledged[-1]
    result = verify_log(
        conn,
        workspace_id=WORKSPACE_ID,
        public_key=key.public_key(),
        external=FileCheckpointSink(sink),
    )
    assert result.intact, result.message
    assert result.checked_up_to == max(seqs)
    assert result.checkpoints_checked >= acknowledged[-1] // 7 - 1
