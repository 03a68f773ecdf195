"""Shared fixtures: a fresh data folder and booth per test, on the bundled demo event."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("QT_IM_MODULE", None)
# The console's purge deletes the on-screen keyboard's dictionaries under the config folder: in tests, a
# throw-away one, never the developer's own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="kiosk-tests-config-")

from kiosk.app import Core, build_core  # noqa: E402
from kiosk.settings import DEMO_CONFIG  # noqa: E402
from pg_cluster import Cluster  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def core(data_dir: Path) -> Core:
    built = build_core(data_dir=data_dir, config_path=DEMO_CONFIG)
    yield built
    built.close()


@pytest.fixture
def booth(core: Core):
    return core.booth


TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def gui(core, qtbot, tmp_path):
    """The whole kiosk window on the demo event, with idle timeouts short enough for tests."""
    from kiosk.app import build_gui

    built = build_gui(core, windowed=True, idle_timeout_ms=300, countdown_s=2, tick_ms=100,
                      cache_dir=tmp_path / "cache")
    qtbot.addWidget(built.window)
    built.window.resize(1280, 800)
    built.window.show()
    yield built
    built.dispose()


# -- the city server's database: every server test runs on SQLite and on PostgreSQL ----------------------------

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_cluster():
    """A real PostgreSQL cluster for the whole run (tests/pg_cluster.py). Missing PostgreSQL fails the
    PostgreSQL half of the server tests; it never skips them."""
    cluster = Cluster().start()
    try:
        cluster.make_template()
        yield cluster
    finally:
        cluster.stop()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``one_backend`` (the slow end-to-end ones: kiosk GUI, browser, network faults through a
    proxy) run with the server on SQLite only, unless marked ``both_backends``: the default run stays under ten
    minutes on two cores, and the storage behaviour they rely on runs on both databases in the storage, API and
    ingest suites. Their PostgreSQL twins are deselected (counted as such), never skipped."""
    dropped = [item for item in items
               if item.get_closest_marker("one_backend") and not item.get_closest_marker("both_backends")
               and getattr(item, "callspec", None) and item.callspec.params.get("backend") == "postgresql"]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in set(dropped)]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The city server's database kind for this test. A test that runs on one kind only says so with
    ``@pytest.mark.parametrize("backend", ["sqlite"])`` and a comment why."""
    return request.param


@pytest.fixture
def new_database(backend, request):
    """Makes a fresh, empty city-server database of this test's kind: ``new_database(folder)`` is an SQLite
    file in ``folder``, or the URL of a new PostgreSQL database (schema applied, dropped after the test)."""
    made: list[tuple[str, bool]] = []
    cluster = request.getfixturevalue("pg_cluster") if backend == "postgresql" else None

    def make(folder: Path, *, migrated: bool = True) -> Path | str:
        if cluster is None:
            folder.mkdir(parents=True, exist_ok=True)
            return folder / "city.sqlite3"
        made.append((cluster.new_database(migrated=migrated), migrated))
        return made[-1][0]

    yield make
    for url, migrated in made:   # a migrated one is emptied for the next test, another dropped
        cluster.give_back(url) if migrated else cluster.drop(url)
