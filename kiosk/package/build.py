"""``kiosk-package --out DIR``: builds DIR/union-booth-kiosk/, the kiosk as a folder that runs without Python.

A thin wrapper over PyInstaller (why PyInstaller: docs/deployment.md): it stages the resources with the
translations compiled to .qm, then runs the spec beside this file. Exit codes: 0 built, 2 bad arguments
(argparse), 3 PyInstaller or lrelease missing (install the dev group: ``uv sync``), 4 the build failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEC = HERE / "kiosk.spec"
PACKAGE_NAME = "union-booth-kiosk"


class ToolMissing(RuntimeError):
    """A build tool is not installed (lrelease, from the PySide6 wheel)."""


def executable_name() -> str:
    return "kiosk.exe" if sys.platform == "win32" else "kiosk"


def stage_resources(stage: Path) -> Path:
    """A copy of resources/ to ship: .ts sources replaced by the .qm that lrelease compiles from them."""
    from kiosk.settings import RESOURCES
    from kiosk.ui.i18n import compile_translation

    target = stage / "resources"
    shutil.copytree(RESOURCES, target, ignore=shutil.ignore_patterns("*.ts", "*.qm", "__pycache__"))
    for ts in sorted((RESOURCES / "i18n").glob("*.ts")):
        compile_translation(ts, target / "i18n" / ts.with_suffix(".qm").name)
    return target


def build(out: Path, *, work: Path | None = None) -> Path:
    """Build the package into ``out`` and return the folder of the executable."""
    import PyInstaller.__main__

    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="kiosk-package-") as tmp:
        work_dir = (work or Path(tmp) / "work").resolve()
        try:
            stage_resources(Path(tmp) / "stage")
        except FileNotFoundError as exc:
            raise ToolMissing(f"cannot compile the translations: {exc}") from exc
        os.environ["KIOSK_PACKAGE_STAGE"] = str(Path(tmp) / "stage")
        PyInstaller.__main__.run([str(SPEC), "--noconfirm", "--clean", "--log-level", "WARN",
                                  "--distpath", str(out), "--workpath", str(work_dir)])
    folder = out / PACKAGE_NAME
    strip_python_runtime(folder)
    return folder


# The Python runtime of uv's standalone builds keeps its debug symbols (libpython alone is 23 MB, 6 MB without);
# stripping the debug sections from it and from the extension modules of Python and cryptography saves ~20 MB.
# Qt's libraries and plugins are left alone: PyInstaller's own strip=True broke the Qt Multimedia backend
# (the camera: "No QtMultimedia backends found").
STRIPPED = ("libpython3*.so*", "python3*/lib-dynload/*.so", "cryptography/**/*.so")


def strip_python_runtime(folder: Path) -> None:
    tool = shutil.which("strip")
    if tool is None or sys.platform != "linux":
        return
    files = sorted({p for pattern in STRIPPED for p in (folder / "_internal").glob(pattern) if p.is_file()})
    if files:
        subprocess.run([tool, "--strip-debug", *map(str, files)], check=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-package", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to put union-booth-kiosk/ in")
    parser.add_argument("--work", type=Path, default=None, help="PyInstaller's work folder (default: a temporary one)")
    args = parser.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("kiosk-package: PyInstaller is missing; it is a development dependency: run `uv sync`", file=sys.stderr)
        return 3
    try:
        folder = build(args.out, work=args.work)
    except ToolMissing as exc:
        print(f"kiosk-package: {exc}", file=sys.stderr)
        return 3
    except (subprocess.CalledProcessError, SystemExit, OSError) as exc:
        print(f"kiosk-package: the build failed: {exc}", file=sys.stderr)
        return 4
    print(f"built {folder / executable_name()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
