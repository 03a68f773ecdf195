"""The packaged kiosk: built, run without Python, compared with the source run, measured.

Run with `uv run pytest tests/benchmarks/bench_package.py -o python_files='bench_*.py' -s` (not in the default
run: the build takes a minute or more). It builds with `kiosk-package` into a temporary folder outside the
checkout, then runs the packaged `kiosk` there: its version and status; `kiosk screenshots`, every picture
compared with the source run's; the on-screen keyboard (Pinyin) loaded and shown; an older ledger migrated
and a newer one refused (exit 6, nothing changed); the package folder unchanged by all of it; its size beside
the development environment's; and its cold start to the painted attract screen beside a bare PySide6 window
in the same run.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

import kiosk
from kiosk.schema import EXIT_LEDGER_TOO_NEW, KNOWN_MIGRATIONS
from ledger_versions import (FUTURE_MIGRATION, applied_migrations, booth_with_records, folder_digest, make_newer,
                             make_older, payload_hashes)

from .bench_registration_ui import BARE

ROOT = Path(__file__).resolve().parents[2]
COLD_STARTS = int(os.environ.get("COLD_STARTS", 7))  # 15 or more for figures to compare
SIZE_GOAL_MB = 250
# Quiz screens show questions drawn at random for each run: compared by size and by the banner above them.
RANDOM_SCREENS = ("quiz-question", "quiz-feedback")


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no PYTHONPATH or virtual environment that could lend the package a module."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "XDG_CACHE_HOME": str(tmp / "cache"),
            "XDG_DATA_HOME": str(tmp / "share"), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8", **extra}


def _folder_bytes(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def package():
    # A folder any account can read: the cage session runs the package as an unprivileged user, as a booth does.
    out = Path(tempfile.mkdtemp(prefix="kiosk-package-"))
    out.chmod(0o755)
    yield _build(out)
    shutil.rmtree(out)


def _build(out: Path) -> dict:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kiosk.package.build", "--out", str(out)],
                          capture_output=True, text=True, timeout=1800, cwd=ROOT)
    took = time.perf_counter() - began
    assert done.returncode == 0, done.stderr[-3000:]
    folder = out / "union-booth-kiosk"
    print(f"\npackage built in {took:.0f} s: {folder}")
    return {"folder": folder, "exe": folder / ("kiosk.exe" if sys.platform == "win32" else "kiosk"),
            "digest": folder_digest(folder)}


def run_packaged(package, *args: str, tmp: Path, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(package["exe"]), *args], capture_output=True, text=True, timeout=timeout,
                          env=_env(tmp, **env), cwd=tmp)


def run_source(*args: str, tmp: Path, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=timeout,
                          env=_env(tmp, **env), cwd=ROOT)


def test_size_on_disk_beside_the_development_environment(package):
    size = _folder_bytes(package["folder"]) / 1e6
    venv = ROOT / ".venv"
    dev = _folder_bytes(venv) / 1e6 if venv.is_dir() else float("nan")
    print(f"\npackage {size:.0f} MB unpacked; development environment (.venv) {dev:.0f} MB; goal ≤ {SIZE_GOAL_MB} MB")
    names = {p.name for p in package["folder"].rglob("*")}
    assert not any("WebEngine" in n or "Qt6Pdf" in n or "Qt63D" in n or "Quick3D" in n and "Utils" not in n
                   for n in names), sorted(n for n in names if "WebEngine" in n or "Pdf" in n or "3D" in n)
    assert not any(n.endswith(".ts") for n in names) and "kiosk_en_US.qm" in names
    assert size <= SIZE_GOAL_MB


def test_version_and_status_without_python(package, tmp_path):
    done = run_packaged(package, "--version", tmp=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"kiosk {kiosk.__version__}"
    data = tmp_path / "data"
    booth_with_records(data)
    packaged = run_packaged(package, "status", "--json", "--data-dir", str(data), tmp=tmp_path)
    source = run_source("status", "--json", "--data-dir", str(data), tmp=tmp_path)
    assert packaged.returncode == source.returncode == 0, packaged.stderr
    assert json.loads(packaged.stdout) == json.loads(source.stdout)
    assert json.loads(packaged.stdout)["total_records"] == 18
    for fmt in ("csv", "xlsx"):  # the day report: openpyxl and the report code are in the package
        out = tmp_path / f"day.{fmt}"
        done = run_packaged(package, "export", "--format", fmt, "--out", str(out), "--data-dir", str(data), tmp=tmp_path)
        assert done.returncode == 0 and out.stat().st_size > 1000, done.stderr[-2000:]
    # sync on a booth never enrolled: the sync code loads, and says what the source run says, with its exit code
    packaged = run_packaged(package, "sync", "--once", "--data-dir", str(data), tmp=tmp_path)
    source = run_source("sync", "--once", "--data-dir", str(data), tmp=tmp_path)
    assert packaged.returncode == source.returncode == 3, packaged.stderr[-2000:]
    assert packaged.stderr == source.stderr and packaged.stdout == source.stdout


def test_resources_plugins_and_qml_come_from_the_package_folder(package, tmp_path):
    done = run_packaged(package, "--windowed", tmp=tmp_path, KIOSK_PACKAGE_PROBE="paths")
    assert done.returncode == 0, done.stderr[-2000:]
    paths = dict(line.split("=", 1) for line in done.stdout.splitlines())
    inside = str(package["folder"].resolve())
    for what in ("resources", "plugins", "qml"):
        assert Path(paths[what]).resolve().is_relative_to(inside), (what, paths[what])
        assert str(ROOT) not in paths[what]


def _difference(a: Path, b: Path) -> tuple[float, tuple[int, int]]:
    """The share of pixels that differ, and the size of the box around them ((0, 0) when none)."""
    one = QImage(str(a)).convertToFormat(QImage.Format.Format_RGB32)
    two = QImage(str(b)).convertToFormat(QImage.Format.Format_RGB32)
    assert one.size() == two.size(), a.name
    if one == two:
        return 0.0, (0, 0)
    x, y, width = bytes(one.constBits()), bytes(two.constBits()), one.width()
    where = [i // 4 for i in range(0, len(x), 4) if x[i:i + 4] != y[i:i + 4]]
    columns, rows = [i % width for i in where], [i // width for i in where]
    return len(where) / (width * one.height()), (max(columns) - min(columns) + 1, max(rows) - min(rows) + 1)


def _banner_equal(a: Path, b: Path) -> bool:
    one, two = QImage(str(a)), QImage(str(b))
    return one.copy(0, 0, one.width(), 36) == two.copy(0, 0, two.width(), 36)


def test_screenshots_from_the_package_match_the_source_run(package, tmp_path):
    data = tmp_path / "data"
    booth_with_records(data)
    src, pkg = tmp_path / "source", tmp_path / "packaged"
    assert run_source("screenshots", "--data-dir", str(data), "--out", str(src), tmp=tmp_path).returncode == 0
    done = run_packaged(package, "screenshots", "--data-dir", str(data), "--out", str(pkg), tmp=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    source_files = sorted(p.name for p in src.glob("*.png"))
    assert sorted(p.name for p in pkg.glob("*.png")) == source_files and len(source_files) >= 60
    random_ones, animated, worst = [], [], 0.0
    for name in source_files:
        if any(screen in name for screen in RANDOM_SCREENS):
            assert _banner_equal(src / name, pkg / name), name
            random_ones.append(name)
            continue
        share, box = _difference(src / name, pkg / name)
        worst = max(worst, share)
        # The same fonts, the same Qt: the same pixels (Chinese text, the QR codes, the dashboard's chart). The
        # one exception: the on-screen keyboard's space key shows the input method's name in an animation, so
        # two source runs already differ there (~900 pixels in a box of ~90 x 25): a difference the size of a
        # key's label is let through, anything larger (a missing glyph row, boxes for Chinese) is not.
        assert share == 0 or (box[0] <= 240 and box[1] <= 60), (name, share, box)
        if share:
            animated.append(f"{name} ({box[0]}x{box[1]} px)")
    print(f"\n{len(source_files) - len(random_ones)} screenshots equal to the source run's "
          f"({len(animated)} with the keyboard's animated space-key label differing: {', '.join(animated) or '-'}; "
          f"worst {worst:.4%} of the pixels); {len(random_ones)} quiz screens with randomly drawn questions: "
          f"same size and banner")


def test_the_on_screen_keyboard_loads_with_pinyin_in_the_package(package, tmp_path):
    data = tmp_path / "data"
    packaged = run_packaged(package, "--windowed", "--data-dir", str(data), tmp=tmp_path, timeout=120,
                            KIOSK_PACKAGE_PROBE="keyboard")
    source = subprocess.run(
        [sys.executable, "-c", "import os, sys; from kiosk.package.probe import install; "
                               "install(os.environ['KIOSK_PACKAGE_PROBE']); from kiosk.cli import main; "
                               "sys.exit(main(sys.argv[1:]))", "--windowed", "--data-dir", str(data)],
        capture_output=True, text=True, timeout=120, env=_env(tmp_path, KIOSK_PACKAGE_PROBE="keyboard"), cwd=ROOT)
    line = [x for x in packaged.stdout.splitlines() if x.startswith("keyboard")]
    assert packaged.returncode == 0 and line, packaged.stdout + packaged.stderr[-3000:]
    assert "loaded=True visible=True active=True" in line[0] and "locale=zh_CN locales=en_US,zh_CN" in line[0]
    assert line == [x for x in source.stdout.splitlines() if x.startswith("keyboard")]
    print(f"\npackaged: {line[0]}")


def test_the_camera_scanner_decodes_a_pass_in_the_package(package, tmp_path):
    # No camera here: the probe hands the scanner widget a frame as a camera would (decoded by zxing-cpp on a
    # pool thread), and asks Qt Multimedia for its cameras and the formats its backend decodes (0 when the
    # FFmpeg backend did not load).
    packaged = run_packaged(package, tmp=tmp_path, timeout=120, KIOSK_PACKAGE_PROBE="camera")
    source = subprocess.run([sys.executable, "-c", "import os; from kiosk.package.probe import install; "
                                                   "install(os.environ['KIOSK_PACKAGE_PROBE'])"],
                            capture_output=True, text=True, timeout=120,
                            env=_env(tmp_path, KIOSK_PACKAGE_PROBE="camera"), cwd=ROOT)
    line = [x for x in packaged.stdout.splitlines() if x.startswith("camera")]
    assert packaged.returncode == 0 and line, packaged.stdout + packaged.stderr[-3000:]
    assert "decoded=True" in line[0] and "decode_formats=0" not in line[0]
    assert line == [x for x in source.stdout.splitlines() if x.startswith("camera")]
    print(f"\npackaged: {line[0]}")


def test_the_package_migrates_an_older_ledger(package, tmp_path):
    data = tmp_path / "data"
    booth_with_records(data)
    hashes = make_older(data)
    assert applied_migrations(data) == [KNOWN_MIGRATIONS[0]]
    done = run_packaged(package, "status", "--json", "--data-dir", str(data), tmp=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert applied_migrations(data) == list(KNOWN_MIGRATIONS)
    assert payload_hashes(data) == hashes
    assert json.loads(done.stdout)["total_records"] == len(hashes)
    assert run_packaged(package, "simulate", "--members", "2", "--data-dir", str(data), tmp=tmp_path).returncode == 0
    assert payload_hashes(data)[:len(hashes)] == hashes and len(payload_hashes(data)) == len(hashes) + 2


def test_the_package_refuses_a_newer_ledger_and_changes_nothing(package, tmp_path):
    data = tmp_path / "data"
    booth_with_records(data)
    make_newer(data)
    before = folder_digest(data)
    picture = tmp_path / "refusal.png"
    for command in (["status"], ["simulate", "--members", "1"], ["--windowed"]):
        # The GUI shows the message in a box; the probe photographs it and taps its button.
        done = run_packaged(package, *command, "--data-dir", str(data), tmp=tmp_path, timeout=120,
                            KIOSK_PACKAGE_PROBE=f"refusal={picture}")
        assert done.returncode == EXIT_LEDGER_TOO_NEW, (command, done.stderr[-2000:])
        assert "更新版本" in done.stderr and "newer version of the kiosk" in done.stderr
        assert FUTURE_MIGRATION in done.stderr
    assert "refusal " in done.stdout and "shown=True" in done.stdout and picture.stat().st_size > 5000
    assert folder_digest(data) == before


def _start_to_paint(command: list[str], *, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds to the first frame, and the CPU seconds (user + system) the process used for it."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    elapsed = time.perf_counter() - began
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert "painted" in out.stdout, out.stderr[-2000:]
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return elapsed, cpu


def test_cold_start_of_the_package_vs_a_bare_pyside6_window(package, tmp_path):
    # Interleaved, after a warm-up of each, so that both find their files in the page cache and noise hits
    # all alike. The packaged kiosk is watched by the same probe as the source run (kiosk.package.probe).
    data, cache = tmp_path / "data", tmp_path / "cache"
    bare_cmd = [sys.executable, "-c", BARE]
    packaged_cmd = [str(package["exe"]), "--windowed", "--data-dir", str(data)]
    source_cmd = [sys.executable, "-c", "import os, sys; from kiosk.package.probe import install; "
                                        "install('painted'); from kiosk.cli import main; sys.exit(main(sys.argv[1:]))",
                  "--windowed", "--data-dir", str(data)]
    bare_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    bare_env.update(QT_QPA_PLATFORM="offscreen", XDG_CACHE_HOME=str(cache))
    probe_env = {**bare_env, "KIOSK_PACKAGE_PROBE": "painted"}
    runs: dict[str, list[float]] = {"bare": [], "packaged": [], "source": []}
    cpu: dict[str, list[float]] = {"bare": [], "packaged": [], "source": []}
    plan = (("bare", bare_cmd, bare_env), ("packaged", packaged_cmd, probe_env), ("source", source_cmd, probe_env))
    for _, command, env in plan:
        _start_to_paint(command, env=env)
    for _ in range(COLD_STARTS):
        for name, command, env in plan:
            wall, used = _start_to_paint(command, env=env)
            runs[name].append(wall)
            cpu[name].append(used)
    median = {name: statistics.median(times) for name, times in runs.items()}
    cpu_median = {name: statistics.median(times) for name, times in cpu.items()}
    ratio, source_ratio = median["packaged"] / median["bare"], median["source"] / median["bare"]
    print(f"\ncold start to painted ({COLD_STARTS} each, interleaved): bare PySide6 window {median['bare'] * 1000:.0f} ms, "
          f"packaged kiosk {median['packaged'] * 1000:.0f} ms (ratio {ratio:.2f}), source kiosk "
          f"{median['source'] * 1000:.0f} ms (ratio {source_ratio:.2f}); CPU time (user + system) medians: bare "
          f"{cpu_median['bare'] * 1000:.0f} ms, packaged {cpu_median['packaged'] * 1000:.0f} ms "
          f"({cpu_median['packaged'] / cpu_median['bare']:.2f}), source {cpu_median['source'] * 1000:.0f} ms "
          f"({cpu_median['source'] / cpu_median['bare']:.2f})")
    assert ratio <= 1.5


def test_the_package_runs_in_a_cage_kiosk_session_with_its_keyboard(package):
    # The Linux booth's session (resources/deploy/linux/union-booth-kiosk.service): cage, fullscreen, the kiosk through
    # XWayland; here on wlroots' headless backend. Needs the Debian packages cage and xwayland.
    cage = shutil.which("cage")
    assert cage and shutil.which("Xwayland"), "install the Debian packages cage and xwayland to run this test"
    session = Path(tempfile.mkdtemp(prefix="kiosk-cage-"))
    try:
        for sub in ("xdg", "home"):
            (session / sub).mkdir()
        session.chmod(0o755)
        (session / "xdg").chmod(0o700)
        as_user: list[str] = []
        if os.geteuid() == 0:  # cage refuses to run as root, as a booth account is not root
            for path in (session / "xdg", session / "home"):
                shutil.chown(path, "nobody", "nogroup")
            as_user = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        env = {"PATH": "/usr/bin:/bin", "HOME": str(session / "home"), "LANG": "C.UTF-8",
               "XDG_RUNTIME_DIR": str(session / "xdg"), "WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman",
               "WLR_LIBINPUT_NO_DEVICES": "1", "QT_QPA_PLATFORM": "xcb", "KIOSK_PACKAGE_PROBE": "keyboard"}
        done = subprocess.run([*as_user, "env", "-i", *(f"{k}={v}" for k, v in env.items()), cage, "-d", "--",
                               str(package["exe"]), "--data-dir", str(session / "home" / "data")],
                              capture_output=True, text=True, timeout=180)
        line = [x for x in done.stdout.splitlines() if x.startswith("keyboard")]
        assert done.returncode == 0 and line, done.stdout + done.stderr[-3000:]
        assert "loaded=True visible=True active=True" in line[0] and "locales=en_US,zh_CN" in line[0]
        print(f"\nin cage: {line[0]}")
    finally:
        shutil.rmtree(session, ignore_errors=True)


def test_the_package_folder_was_never_written_to(package):
    assert folder_digest(package["folder"]) == package["digest"]
