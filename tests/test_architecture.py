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
    allowed = {"kiosk/ledger.py", "kiosk/migrations.py", "sync/server/storage.py", "booth_common/migrations.py"}
    rel = path.relative_to(ROOT).as_posix()
    if rel in allowed or rel.startswith("sync/server/migrations"):
        return
    assert not {n for n in _imports(path) if _top(n) in ("sqlite3", "sqlite_utils")}, rel


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
    for files in (clean, {**clean, **breach}):
        for name, text in files.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(text, encoding="utf-8")
        found = side_breaches(tmp_path)
        if files is clean:
            assert found == []
    assert expected in found


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
               "kiosk/ui/members_screen.py": "kiosk.corrections"}


@pytest.mark.parametrize("rel, concept", ONE_CONCEPT.items())
def test_a_screen_of_one_concept_imports_that_concept_not_the_booth(rel, concept):
    names = _imports(ROOT / rel)
    assert concept in names and "kiosk.booth" not in names


def test_the_booth_concepts_take_their_refusals_from_one_module():
    """kiosk/errors.py declares what membership, desks, prizes, audit and the writer refuse (other modules, such
    as the console's access, keep refusals of their own)."""
    declaring = set()
    for path in _modules("kiosk"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "") == "BoothError" for b in node.bases):
                declaring.add(path.relative_to(ROOT).as_posix())
    concepts = {f"kiosk/{name}.py" for name in ("booth", "membership", "desks", "prizes", "audit", "record_writer", "employers")}
    assert "kiosk/errors.py" in declaring and not declaring & concepts


@pytest.mark.parametrize("path", [p for p in _modules("kiosk", "sync", "booth_common")
                                  if p.relative_to(ROOT).parts[:2] != ("kiosk", "package")],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_product_never_imports_its_build_tool(path):
    assert not {n for n in _imports(path) if n == "kiosk.package" or n.startswith("kiosk.package.")}
