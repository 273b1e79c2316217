"""One thread owns the Session; the GUI sends it work and gets results back on the GUI thread.

Why: a Session is one SQLCipher connection, and a connection must only be used by the thread that
opened it (DESIGN §3); unlocking runs Argon2id for about half a second, and the GUI must never
block. So a single long-lived ``_Worker`` lives in a dedicated ``QThread``: it opens (unlocks or
creates) the Session there, runs every call on it there, and closes it there.

The GUI side is ``SessionHost``. ``submit(fn, on_done, on_error)`` queues ``fn(session)`` to the
worker thread; the result (or the exception) comes back through a queued signal, so ``on_done`` /
``on_error`` always run on the GUI thread. Jobs run one at a time, in the order submitted.

Rules for ``fn`` (as Anki's ``QueryOp`` warns): it runs on the worker thread, so it must never
touch a widget or a model; it should capture only immutable values (strings, frozen dataclasses).

``LongJob`` is the one way to run long work (a backup, a report, an accounting) with a progress
bar and Cancel on top of ``submit``.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop.progress import CancelCheck, ProgressCallback
from desktop.session import Session, Stopped

log = logging.getLogger(__name__)

T = TypeVar("T")
DoneCallback = Callable[[Any], None]
ErrorCallback = Callable[[Exception], None]
#: Long work: ``work(session, progress, should_cancel)``, as the session's long methods take them.
LongWork = Callable[[Session, ProgressCallback, CancelCheck], T]

SHUTDOWN_WAIT_MS = 30_000


class SessionLocked(RuntimeError):
    """A call reached the worker while no session was open (locked, or never unlocked)."""


class _Kind(Enum):
    OPEN = "open"  # fn() -> Session; the worker keeps it
    CALL = "call"  # fn(session) -> result
    CLOSE = "close"  # lock the session and forget it
    STOP = "stop"  # close, then end the thread


@dataclass(frozen=True)
class _Job:
    job_id: int
    kind: _Kind
    fn: Callable[..., Any] | None = None


class _Worker(QObject):
    """Lives in the session thread. The only object that ever holds the Session."""

    finished = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self) -> None:
        super().__init__()
        self._session: Session | None = None

    @Slot(object)
    def run(self, job: _Job) -> None:
        try:
            result = self._execute(job)
        except Exception as exc:
            # The message goes back to the GUI; the traceback (which could keep frames holding a
            # passphrase alive) is logged at debug level only and then dropped.
            log.debug("session job %s failed", job.job_id, exc_info=True)
            self.failed.emit(job.job_id, exc.with_traceback(None))
        else:
            self.finished.emit(job.job_id, result)

    def _execute(self, job: _Job) -> Any:
        if job.kind is _Kind.OPEN:
            assert job.fn is not None
            self._close()
            self._session = job.fn()
            return None
        if job.kind is _Kind.CLOSE:
            self._close()
            return None
        if job.kind is _Kind.STOP:
            self._close()
            thread = self.thread()
            thread.quit()
            return None
        assert job.fn is not None
        if self._session is None or self._session.locked:
            raise SessionLocked("the store is locked")
        return job.fn(self._session)

    def _close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.lock()


class SessionHost(QObject):
    """The GUI thread's handle on the session thread. Create it on the GUI thread."""

    #: The number of jobs sent and not yet answered changed (0 means idle).
    pending_changed = Signal(int)
    #: A job failed and its caller gave no ``on_error``: a message for the status bar.
    unhandled_error = Signal(str)
    #: How far a long job is (done, total). The job's ``fn`` calls ``progress.emit`` on the worker
    #: thread (capture ``host.progress.emit``); listeners get it queued, on the GUI thread.
    progress = Signal(int, int)

    _request = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[DoneCallback | None, ErrorCallback | None]] = {}
        # Not parented: the thread is stopped explicitly in shutdown(), never by a parent's
        # destructor (destroying a running QThread aborts the process).
        self._thread = QThread()
        self._thread.setObjectName("session-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.start()

    # -- sending work ---------------------------------------------------------------------
    def open(
        self,
        opener: Callable[[], Session],
        on_done: Callable[[], None] | None = None,
        on_error: ErrorCallback | None = None,
    ) -> int:
        """Run ``opener`` (``Session.unlock`` or ``Session.create``) on the worker thread.

        The worker keeps the session it returns; any session it held before is locked first.
        """
        done: DoneCallback | None = None if on_done is None else (lambda _result: on_done())
        return self._send(_Kind.OPEN, opener, done, on_error)

    def submit(
        self,
        fn: Callable[[Session], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorCallback | None = None,
    ) -> int:
        """Run ``fn(session)`` on the worker thread; ``on_done(result)`` on the GUI thread."""
        return self._send(_Kind.CALL, fn, on_done, on_error)

    def close(self, on_done: Callable[[], None] | None = None) -> int:
        """Lock the session (``Session.lock()``) on the worker thread and forget it."""
        done: DoneCallback | None = None if on_done is None else (lambda _result: on_done())
        return self._send(_Kind.CLOSE, None, done, None)

    def shutdown(self) -> None:
        """Lock the session, end the thread and wait for it. Callbacks not yet run are dropped.

        Jobs already queued run first (they are in order); long jobs should be cancelled by
        their owner before this is called.
        """
        if not self._thread.isRunning():
            return
        self._pending.clear()
        self._request.emit(_Job(0, _Kind.STOP))
        if not self._thread.wait(SHUTDOWN_WAIT_MS):
            log.error("the session thread did not stop within %d ms", SHUTDOWN_WAIT_MS)
        self.pending_changed.emit(0)

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def _send(
        self,
        kind: _Kind,
        fn: Callable[..., Any] | None,
        on_done: DoneCallback | None,
        on_error: ErrorCallback | None,
    ) -> int:
        if not self._thread.isRunning():
            raise RuntimeError("the session thread has been shut down")
        job_id = next(self._ids)
        self._pending[job_id] = (on_done, on_error)
        self._request.emit(_Job(job_id, kind, fn))
        self.pending_changed.emit(len(self._pending))
        return job_id

    # -- results (GUI thread, through queued signals) ---------------------------------------
    @Slot(int, object)
    def _on_finished(self, job_id: int, result: object) -> None:
        callbacks = self._pending.pop(job_id, None)
        if callbacks is None:
            return
        on_done, _ = callbacks
        try:
            if on_done is not None:
                on_done(result)
        finally:
            # After the callback, so a listener sees the state the callback left.
            self.pending_changed.emit(len(self._pending))

    @Slot(int, object)
    def _on_failed(self, job_id: int, error: object) -> None:
        callbacks = self._pending.pop(job_id, None)
        if callbacks is None:
            return
        _, on_error = callbacks
        assert isinstance(error, Exception)
        try:
            if on_error is not None:
                on_error(error)
            else:
                log.warning("a background job failed: %s", type(error).__name__)
                self.unhandled_error.emit(str(error))
        finally:
            self.pending_changed.emit(len(self._pending))


def failure_reason(error: Exception) -> str:
    """Why a job failed, in words for the user. The store's messages carry no case content; for
    the system's, its own words ("No space left on device") without the error number."""
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


class LongJob:
    """Long work on the session with progress and a way to stop it (DESIGN §5).

    ``start`` queues ``work(session, progress, should_cancel)``: ``progress`` is
    ``host.progress.emit`` (also shown by ``show_progress`` while this job runs), and
    ``should_cancel()`` turns true once ``cancel()`` is called. One run at a time. Its end comes
    back on the GUI thread as exactly one of ``on_done(result)``, ``on_stopped()`` (the work
    raised ``Stopped``: cancelled, leaving nothing behind) or ``on_failed(reason)``.

    ``abandon()`` is for an owner that goes away (a dialog closed on lock): the work is cancelled
    and its end is no longer reported, so no callback reaches a closed window.
    """

    def __init__(self, host: SessionHost, show_progress: ProgressCallback | None = None) -> None:
        self._host = host
        self._show_progress = show_progress
        self._cancel: threading.Event | None = None  # the running run's, None when idle

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(
        self,
        work: LongWork[T],
        on_done: Callable[[T], None],
        on_stopped: Callable[[], None],
        on_failed: Callable[[str], None],
    ) -> None:
        """Queue ``work``, unless a run has not ended yet."""
        if self._cancel is not None:
            return
        cancel = threading.Event()
        progress = self._host.progress.emit

        def job(session: Session) -> T:
            return work(session, progress, cancel.is_set)

        def done(result: T) -> None:
            if self._ended(cancel):
                on_done(result)

        def failed(error: Exception) -> None:
            if not self._ended(cancel):
                return
            if isinstance(error, Stopped):
                on_stopped()
            else:
                on_failed(failure_reason(error))

        self._host.submit(job, done, failed)  # its answer comes later, through the event loop
        self._cancel = cancel
        if self._show_progress is not None:
            self._host.progress.connect(self._show_progress)

    def cancel(self) -> None:
        """Ask the running work to stop; its end is reported as stopped."""
        if self._cancel is not None:
            self._cancel.set()

    def abandon(self) -> None:
        """Stop the running work and forget it: its end is not reported."""
        if self._cancel is not None:
            self._cancel.set()
            self._ended(self._cancel)

    def _ended(self, cancel: threading.Event) -> bool:
        """The run that ``cancel`` belongs to ended; True if it is still this job's to report."""
        if self._cancel is not cancel:
            return False  # abandoned
        self._cancel = None
        if self._show_progress is not None:
            self._host.progress.disconnect(self._show_progress)
        return True
