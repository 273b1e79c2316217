"""Child process for the crash tests: does real work and acknowledges each durable step.

``add`` mode: saves records in a loop and prints ``ACK <record id> <n>`` after each commit.
``passwd`` mode: changes the passphrase back and forth, printing ``ACK <n>`` after each change.
The parent kills this process with SIGKILL at a random moment and checks what survived.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.domain.records import RecordBody
from desktop.policy import EMPTY_POLICY
from desktop.session import Session
from tests.factories import uk_share_body

PASSPHRASES = ("first passphrase for the test", "second passphrase for the test")


def body_for(n: int) -> RecordBody:
    body = uk_share_body()
    body["notes"] = f"crash-test record number {n}"
    body["case"]["case_id"] = f"CRASH-{n % 7}"
    return RecordBody.model_validate(body)


def run_adds(store: Path, start: int) -> None:
    session = Session.unlock(store, PASSPHRASES[0], EMPTY_POLICY)
    n = start
    while True:
        saved = session.add_record(body_for(n))
        print(f"ACK {saved.record_id} {n}", flush=True)
        n += 1


def run_passwd(store: Path, current: int) -> None:
    session = Session.unlock(store, PASSPHRASES[current], EMPTY_POLICY)
    n = 0
    while True:
        current = 1 - current
        session.change_passphrase(PASSPHRASES[current])
        print(f"ACK {current} {n}", flush=True)
        n += 1


if __name__ == "__main__":
    mode, store_dir, number = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    print("READY", flush=True)
    if mode == "add":
        run_adds(store_dir, number)
    else:
        run_passwd(store_dir, number)
