"""run_in_background: the work runs on a pool thread, its answer, its error and its progress arrive on the GUI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.ui.background import run_in_background


@pytest.fixture
def screen(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_the_work_runs_off_the_gui_thread_and_its_answer_comes_back_on_it(qtbot, screen):
    seen = {}

    def op(_progress):
        seen["worker"] = threading.get_ident()
        return 42

    def on_success(result):
        seen["answer"], seen["answered_on_gui"] = result, QThread.currentThread() is QApplication.instance().thread()

    task = run_in_background(op, on_success, pytest.fail, parent=screen)
    qtbot.waitUntil(lambda: "answer" in seen, timeout=5000)
    assert seen["answer"] == 42 and seen["answered_on_gui"] and task.finished
    assert seen["worker"] != threading.get_ident()


def test_an_error_reaches_on_failure_on_the_gui_thread_and_the_pool_goes_on(qtbot, screen):
    errors, answers = [], []

    def broken(_progress):
        raise OSError(28, "No space left on device")

    run_in_background(broken, pytest.fail, lambda exc: errors.append(
        (exc, QThread.currentThread() is QApplication.instance().thread())), parent=screen)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    [(exc, on_gui)] = errors
    assert isinstance(exc, OSError) and exc.strerror == "No space left on device" and on_gui
    run_in_background(lambda _p: "still working", answers.append, pytest.fail, parent=screen)
    qtbot.waitUntil(lambda: answers == ["still working"], timeout=5000)


def test_progress_is_thinned_out_but_the_last_step_always_arrives(qtbot, screen):
    steps, done = [], []

    def count(progress):
        for i in range(1, 200_001):
            progress(i, 200_000)
        return "ok"

    run_in_background(count, done.append, pytest.fail, parent=screen, on_progress=lambda d, t: steps.append((d, t)))
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    assert steps[-1] == (200_000, 200_000)
    assert len(steps) < 2_000  # 200,000 calls, a few hundred signals at most: the GUI thread's queue stays short


def test_an_answer_for_a_screen_that_has_gone_is_dropped_without_a_crash(qtbot):
    parent = QObject()
    release, answers = threading.Event(), []
    run_in_background(lambda _p: release.wait(5) and "late", answers.append, answers.append, parent=parent)
    parent.deleteLater()
    qtbot.wait(50)  # deleteLater runs in the event loop
    release.set()
    from PySide6.QtCore import QThreadPool
    assert QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)
    assert answers == []


def test_what_start_up_built_is_never_walked_by_later_garbage_collections():
    """The kiosk freezes its start-up objects: a full collection then leaves them alone (even a cycle of them
    that became garbage stays), so a collection during a search walks only what came after."""
    import gc
    import weakref

    from kiosk.app import freeze_start_up_objects

    class Node:
        pass

    node = Node()
    node.me = node  # a reference cycle: only the collector frees it
    gone = weakref.ref(node)
    try:
        freeze_start_up_objects()
        assert gc.get_freeze_count() > 0
        del node
        gc.collect()
        assert gone() is not None  # frozen: the collection did not walk it
    finally:
        gc.unfreeze()
    gc.collect()
    assert gone() is None  # unfrozen, the same collection frees it
