"""The layering of ../shared/STYLE.md, enforced by walking every module's imports."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path, *, with_members: bool = False) -> set[str]:
    """Every module a file imports, at the top or inside a function; ``from a import b`` also names ``a.b``
    when ``with_members`` (b may be a submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if with_members:
                names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _modules(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py"))


def _top(name: str) -> str:
    return name.split(".")[0]


# kiosk/app.py is the composition root: it alone builds both sides (and imports Qt lazily, for the GUI).
# kiosk/package/ is the build tool of the packaged kiosk (PyInstaller spec, hooks, the probe that watches the GUI):
# it freezes and watches the UI, so it may import Qt; the kiosk itself never imports it (tested below).
CORE = [p for p in _modules("booth_common", "kiosk", "sync")
        if not {"ui", "package"} & set(p.relative_to(ROOT).parts[:2])
        and p.relative_to(ROOT).as_posix() != "kiosk/app.py"]
UI = _modules("kiosk/ui")


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_qt(path):
    assert not {n for n in _imports(path) if _top(n) in ("PySide6", "shiboken6", "pytestqt")}


@pytest.mark.parametrize("path", UI, ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_never_runs_sql_http_or_crypto(path):
    banned = {"sqlite3", "sqlite_utils", "requests", "httpx", "cryptography", "urllib3", "kiosk.ledger",
              "kiosk.migrations"}
    found = {n for n in _imports(path) if n in banned or _top(n) in banned}
    assert not found


@pytest.mark.parametrize("path", _modules("booth_common", "kiosk", "sync"), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_sync_client_imports_requests(path):
    if path.relative_to(ROOT).as_posix() == "sync/client.py":
        return
    assert "requests" not in {_top(n) for n in _imports(path)}


@pytest.mark.parametrize("path", _modules("booth_common", "kiosk", "sync"), ids=lambda p: str(p.relative_to(ROOT)))
def test_sql_stays_in_the_ledger_and_the_server_storage(path):
    allowed = {"kiosk/ledger.py", "kiosk/outbox.py", "kiosk/migrations.py", "booth_common/migrations.py"}
    rel = path.relative_to(ROOT).as_posix()
    if rel in allowed or rel.startswith(("sync/server/migrations", "sync/server/storage/")):
        return
    assert not {n for n in _imports(path) if _top(n) in ("sqlite3", "sqlite_utils", "psycopg", "psycopg_pool")}, rel


@pytest.mark.parametrize("path", _modules("booth_common", "kiosk", "sync"), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_postgresql_backend_imports_psycopg(path):
    """The storage's SQL is written once; only its PostgreSQL backend knows the driver (and a server on SQLite
    never imports it). Its outage handling (pg_outage.py) is part of it, imported by postgres.py alone."""
    if path.relative_to(ROOT).as_posix() in ("sync/server/storage/postgres.py", "sync/server/storage/pg_outage.py"):
        return
    assert not {n for n in _imports(path) if _top(n) in ("psycopg", "psycopg_pool")}


def test_every_module_says_its_job_in_a_docstring():
    missing = [str(p.relative_to(ROOT)) for p in _modules("booth_common", "kiosk", "sync")
               if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == []


# -- the booth and the city server stand on booth_common/ and never on each other ---------------------------------

# (who, what it must never reach, even through another module of the repository)
SIDES = (
    ("booth_common", ("kiosk", "sync")),     # the shared code imports neither side
    ("sync.server", ("kiosk",)),             # the city server installs and runs without the kiosk
    ("kiosk", ("sync.server",)),             # the kiosk never runs server code
    ("sync", ("sync.server",)),              # nor does its sync client (sync.server itself is checked above)
)


def _module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph(root: Path) -> dict[str, set[str]]:
    """Module name -> the modules of this tree it imports directly (a package's ``__init__`` runs too)."""
    files = {_module_name(root, p): p for p in root.rglob("*.py") if not {".venv", "tests"} & set(p.parts)}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        targets: set[str] = set()
        for imported in _imports(path, with_members=True):
            parts = imported.split(".")
            targets |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & files.keys()
        graph[name] = targets - {name}
    return graph


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def side_breaches(root: Path) -> list[str]:
    """Every import chain by which one side reaches what SIDES forbids it, as "a -> b -> c"."""
    graph = _import_graph(root)
    breaches = []
    for side, forbidden in SIDES:
        for start in sorted(n for n in graph if _within(n, side)):
            if side == "sync" and _within(start, "sync.server"):
                continue
            chain = _first_chain(graph, start, lambda n: any(_within(n, f) for f in forbidden))
            if chain:
                breaches.append(" -> ".join(chain))
    return breaches


def _first_chain(graph: dict[str, set[str]], start: str, bad) -> list[str] | None:
    seen, queue = {start}, [[start]]
    while queue:
        chain = queue.pop(0)
        for nxt in sorted(graph.get(chain[-1], ()), key=lambda n: (-n.count("."), n)):  # name the module, not its package
            if bad(nxt):
                return chain + [nxt]
            if nxt not in seen:
                seen.add(nxt)
                queue.append(chain + [nxt])
    return None


def planted(root: Path, clean: dict[str, str], breach: dict[str, str], check) -> list[str]:  # type: ignore[no-untyped-def]
    """A test of a check: write a small tree like ours, see ``check`` find nothing in it, plant ``breach``
    (files added or replaced) and return what ``check`` finds then."""
    for files in (clean, {**clean, **breach}):
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        if files is clean:
            assert check(root) == [], "the check finds a breach in the clean tree"
    return check(root)


def test_the_booth_and_the_server_share_only_booth_common():
    assert side_breaches(ROOT) == []


@pytest.mark.parametrize("breach, expected", [
    ({"sync/server/app.py": "from sync.server import helper\n",
      "sync/server/helper.py": "import kiosk.ledger\n"}, "sync.server.app -> sync.server.helper -> kiosk.ledger"),
    ({"sync/server/app.py": "from booth_common import records\n",
      "booth_common/records.py": "def f():\n    from sync.engine import run\n"},
     "booth_common.records -> sync.engine"),
    ({"kiosk/ui/console.py": "from sync.server.storage import Storage\n"}, "kiosk.ui.console -> sync.server.storage"),
    ({"sync/engine.py": "from sync.server import app\n"}, "sync.engine -> sync.server.app"),
])
def test_the_side_check_catches_a_deliberate_breach(tmp_path, breach, expected):
    """The check above, run over a small tree like ours with one breach planted: it must name the chain."""
    clean = {"booth_common/__init__.py": "", "booth_common/records.py": "", "kiosk/__init__.py": "",
             "kiosk/ledger.py": "from booth_common.records import x\n", "kiosk/ui/__init__.py": "",
             "kiosk/ui/console.py": "from kiosk import ledger\n", "sync/__init__.py": "",
             "sync/engine.py": "from kiosk.ledger import Ledger\n", "sync/server/__init__.py": "",
             "sync/server/app.py": "from booth_common.records import x\n", "sync/server/storage.py": "",
             "sync/server/helper.py": ""}
    assert expected in planted(tmp_path, clean, breach, side_breaches)


def test_no_absolute_path_of_this_machine_in_the_repository():
    import subprocess

    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in files:
        path = ROOT / name
        if path.suffix in (".png", ".qm", ".xlsx", ".lock") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if any("/" + top + "/" in text for top in ("work", "root", "home")):
            offenders.append(name)
    assert offenders == [], offenders


# -- the booth's concepts: a screen asks the one concept it shows, not the whole booth -----------------------------

ONE_CONCEPT = {"kiosk/ui/register_screen.py": "kiosk.membership", "kiosk/ui/registration.py": "kiosk.membership",
               "kiosk/ui/members_screen.py": "kiosk.corrections", "kiosk/ui/station_screen.py": "kiosk.desks",
               "kiosk/ui/dashboard_screen.py": "kiosk.report", "kiosk/ui/console_home_screen.py": "kiosk.booth_setup",
               "kiosk/ui/console_setup_screen.py": "kiosk.booth_setup",
               "kiosk/ui/employer_follow_up_screen.py": "kiosk.employers",
               "kiosk/ui/employer_meeting_screen.py": "kiosk.employers"}


@pytest.mark.parametrize("rel, concept", ONE_CONCEPT.items())
def test_a_screen_of_one_concept_imports_that_concept_not_the_booth(rel, concept):
    names = _imports(ROOT / rel, with_members=True)
    assert concept in names and "kiosk.booth" not in names


# kiosk.booth puts the concepts together; only the composition root and the simulator (which drives every
# concept at once, for `kiosk simulate` and the benchmarks) may take it whole.
TAKES_THE_WHOLE_BOOTH = {"kiosk/app.py", "kiosk/simulate.py"}


def whole_booth_importers(root: Path) -> list[str]:
    """Every module of kiosk/ and sync/ but the allowed ones that imports kiosk.booth, however it is spelt
    (``from kiosk.booth import``, ``import kiosk.booth``, ``from kiosk import booth``, inside a function)."""
    found = []
    for path in sorted(p for folder in ("kiosk", "sync") for p in (root / folder).rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel not in TAKES_THE_WHOLE_BOOTH and rel != "kiosk/booth.py" and "kiosk.booth" in _imports(path, with_members=True):
            found.append(rel)
    return found


def test_no_screen_or_concept_takes_the_whole_booth():
    """Screens get the concept they show from the composition root; no module but it (and the simulator)
    imports kiosk.booth, so it cannot grow back into the hub every screen leans on."""
    assert whole_booth_importers(ROOT) == []


@pytest.mark.parametrize("breach, expected", [
    ({"kiosk/ui/station_screen.py": "from kiosk.booth import BoothService\n"}, "kiosk/ui/station_screen.py"),
    ({"kiosk/report.py": "import kiosk.booth\n"}, "kiosk/report.py"),
    ({"kiosk/ui/console.py": "def f():\n    from kiosk import booth\n"}, "kiosk/ui/console.py"),
    ({"sync/engine.py": "from kiosk.booth import BoothService as B\n"}, "sync/engine.py"),
])
def test_the_whole_booth_check_catches_a_deliberate_breach(tmp_path, breach, expected):
    """The check above over a small tree: the root and the simulator may import kiosk.booth, a screen, a
    concept or the sync engine may not, whichever way the import is written."""
    clean = {"kiosk/booth.py": "from kiosk.desks import Desks\n", "kiosk/desks.py": "", "kiosk/report.py": "",
             "kiosk/app.py": "def build():\n    from kiosk.booth import BoothService\n",
             "kiosk/simulate.py": "from kiosk.booth import BoothService\n",
             "kiosk/ui/station_screen.py": "from kiosk.desks import Desks\n", "kiosk/ui/console.py": "",
             "sync/engine.py": "from kiosk.ledger import Ledger\n"}
    assert planted(tmp_path, clean, breach, whole_booth_importers) == [expected]


def _base_names(node: ast.ClassDef) -> set[str]:
    """``class A(B)`` and ``class A(errors.B)`` both name B."""
    return {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases if isinstance(b, (ast.Name, ast.Attribute))}


def refusals_outside_errors(root: Path) -> list[str]:
    """Every refusal (a ``BoothError``, directly or through another refusal) declared anywhere in kiosk/ but
    kiosk/errors.py, as "path:Class"."""
    classes = [(path.relative_to(root).as_posix(), node) for path in sorted((root / "kiosk").rglob("*.py"))
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.ClassDef)]
    refusals, grew = {"BoothError"}, True
    while grew:  # a refusal may derive from another refusal (VoucherUsed from AlreadyReceived)
        found = {node.name for _, node in classes if _base_names(node) & refusals}
        grew, refusals = not found <= refusals, refusals | found
    return [f"{rel}:{node.name}" for rel, node in classes
            if node.name in refusals and rel != "kiosk/errors.py" and _base_names(node) & refusals]


def test_every_refusal_is_declared_in_kiosk_errors():
    """kiosk/errors.py declares everything the booth refuses (membership, desks, prizes, the quiz, corrections,
    the console PIN, a desk's scanner): one file to read for every message a worker or volunteer may see."""
    assert refusals_outside_errors(ROOT) == []


@pytest.mark.parametrize("breach, expected", [
    ({"kiosk/stations.py": "from kiosk.errors import BoothError\nclass MemberOnly(BoothError):\n    pass\n"},
     "kiosk/stations.py:MemberOnly"),
    ({"kiosk/stations.py": "from kiosk import errors\nclass NoPrizeHere(errors.WrongCode):\n    pass\n"},
     "kiosk/stations.py:NoPrizeHere"),
    ({"kiosk/ui/quiz_pages.py": "from kiosk.errors import VoucherUsed\ndef f():\n    class Late(VoucherUsed):\n        pass\n"},
     "kiosk/ui/quiz_pages.py:Late"),
])
def test_the_refusal_check_catches_a_deliberate_breach(tmp_path, breach, expected):
    """The check above over a small tree: clean, it finds nothing; with a refusal planted outside errors.py
    (directly, through an attribute, through a refusal's subclass, nested in a function) it names it."""
    clean = {"kiosk/errors.py": "class BoothError(Exception):\n    pass\nclass WrongCode(BoothError):\n    pass\n"
                                "class AlreadyReceived(BoothError):\n    pass\nclass VoucherUsed(AlreadyReceived):\n    pass\n",
             "kiosk/stations.py": "class Station:\n    pass\n", "kiosk/ui/quiz_pages.py": "class Page:\n    pass\n",
             "kiosk/quiz.py": "class InvalidAnswer(ValueError):\n    pass\n"}
    assert planted(tmp_path, clean, breach, refusals_outside_errors) == [expected]


@pytest.mark.parametrize("path", [p for p in _modules("kiosk", "sync", "booth_common")
                                  if p.relative_to(ROOT).parts[:2] != ("kiosk", "package")],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_product_never_imports_its_build_tool(path):
    assert not {n for n in _imports(path) if n == "kiosk.package" or n.startswith("kiosk.package.")}


# -- size: a class a newcomer can read through (the screens were carved to ~300 lines, Ledger and BoothService too) -

CLASS_LINES_MAX = 300


def long_classes(root: Path, *, limit: int = CLASS_LINES_MAX) -> list[str]:
    """Every class in kiosk/ longer than ``limit`` lines (decorators and docstring included), as "path:Class N"."""
    found = []
    for path in sorted((root / "kiosk").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if node.end_lineno - first + 1 > limit:
                    found.append(f"{path.relative_to(root).as_posix()}:{node.name} {node.end_lineno - first + 1}")
    return found


def test_no_class_in_the_kiosk_is_longer_than_300_lines():
    """Split a class by concept before it passes 300 lines (the outbox left the Ledger for kiosk/outbox.py)."""
    assert long_classes(ROOT) == []


def test_the_class_size_check_catches_a_deliberate_breach(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(CLASS_LINES_MAX - 1))  # with its class line: exactly the limit
    clean = {"kiosk/ledger.py": f"class Ledger:\n{body}", "kiosk/ui/station_screen.py": "class StationScreen:\n    pass\n"}
    breach = {"kiosk/ui/station_screen.py": f"@dataclass\nclass StationScreen:\n{body}"}  # one line over, by its decorator
    assert planted(tmp_path, clean, breach, long_classes) == [f"kiosk/ui/station_screen.py:StationScreen {CLASS_LINES_MAX + 1}"]
