"""An import's progress and Cancel (the GUI's "Import report…" runs it in the background).

``Session.import_report`` reports its steps and asks ``should_cancel`` between them and once more
at the end of its transaction. Cancelled at any of those moments, it raises ``Stopped`` and the
supervisor's store is as it was: every table, the audit log included (a stopped import is not a
refusal, so nothing is audited).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop.session import IMPORT_STEPS, ImportedBundle, Session, Stopped
from tests.conftest import tables_but_audit
from tests.reports.sent_report import sent_report


@dataclass(frozen=True)
class World:
    supervisor: Session
    report: bytes


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A supervisor who trusts Sam, and a report of Sam's three records sent to them."""
    sent = sent_report(tmp_path)
    supervisor = sent.supervisor
    yield World(supervisor, sent.bundle.read_bytes())
    supervisor.lock()


def every_table(session: Session) -> dict[str, Any]:
    conn = session.store.conn
    return {
        **tables_but_audit(conn),
        "audit": list(conn.execute("SELECT * FROM audit ORDER BY seq")),
    }


def import_cancelled_at(
    session: Session, report: bytes, cancel_at: int, steps: list[tuple[int, int]]
) -> ImportedBundle:
    """Import ``report``, cancelling at the ``cancel_at``-th check; ``steps`` gets the progress."""
    asked = 0

    def should_cancel() -> bool:
        nonlocal asked
        asked += 1
        return asked == cancel_at

    return session.import_report(
        report, lambda done, total: steps.append((done, total)), should_cancel
    )


def test_cancelled_at_any_step_the_import_leaves_every_table_as_it_was(world: World) -> None:
    supervisor = world.supervisor
    before = every_table(supervisor)
    stopped_at: list[int] = []
    for cancel_at in range(1, 20):
        steps: list[tuple[int, int]] = []
        try:
            imported = import_cancelled_at(supervisor, world.report, cancel_at, steps)
        except Stopped:
            assert every_table(supervisor) == before, f"stopped at check {cancel_at}"
            assert len(steps) == cancel_at - 1  # each step is reported once it may go on
            stopped_at.append(cancel_at)
            continue
        break
    else:
        pytest.fail("the import never finished")

    # Three steps, then a last check inside the transaction: the rows it had written are gone.
    assert stopped_at == [1, 2, 3, 4]
    assert steps == [(step, IMPORT_STEPS) for step in range(IMPORT_STEPS + 1)]
    assert imported.versions_added == 3  # the control: not cancelled, it imports
    after = every_table(supervisor)
    assert after != before
    events = supervisor.store.conn.execute("SELECT event FROM audit ORDER BY seq").fetchall()
    assert [event for (event,) in events[len(before["audit"]) :]] == ["report_imported"]


def test_the_same_report_again_reports_its_steps_and_changes_nothing(world: World) -> None:
    world.supervisor.import_report(world.report)
    before = every_table(world.supervisor)
    steps: list[tuple[int, int]] = []
    again = world.supervisor.import_report(
        world.report, lambda done, total: steps.append((done, total)), lambda: False
    )
    assert again.already_imported
    assert steps[-1] == (IMPORT_STEPS, IMPORT_STEPS)
    assert every_table(world.supervisor) == before
