"""The layering of ../shared/STYLE.md, enforced by walking every module's imports."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py"))


def _top(name: str) -> str:
    return name.split(".")[0]


# kiosk/app.py is the composition root: it alone builds both sides (and imports Qt lazily, for the GUI).
CORE = [p for p in _modules("kiosk", "sync")
        if "ui" not in p.relative_to(ROOT).parts and p.relative_to(ROOT).as_posix() != "kiosk/app.py"]
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


@pytest.mark.parametrize("path", _modules("kiosk", "sync"), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_sync_client_imports_requests(path):
    if path.relative_to(ROOT).as_posix() == "sync/client.py":
        return
    assert "requests" not in {_top(n) for n in _imports(path)}


@pytest.mark.parametrize("path", _modules("kiosk", "sync"), ids=lambda p: str(p.relative_to(ROOT)))
def test_sql_stays_in_the_ledger_and_the_server_storage(path):
    allowed = {"kiosk/ledger.py", "kiosk/migrations.py", "sync/server/storage.py"}
    rel = path.relative_to(ROOT).as_posix()
    if rel in allowed or rel.startswith("sync/server/migrations"):
        return
    assert not {n for n in _imports(path) if _top(n) in ("sqlite3", "sqlite_utils")}, rel


def test_every_module_says_its_job_in_a_docstring():
    missing = [str(p.relative_to(ROOT)) for p in _modules("kiosk", "sync")
               if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == []


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
