"""The city server installs without Qt: `pip install 'union-booth-kiosk[server]'` pulls no PySide6 (issue 17)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import zipfile
from pathlib import Path

import requests
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent
UV = os.environ.get("UV") or shutil.which("uv") or "uv"   # `uv run` names itself in $UV (CI may run python3 -m uv)
GUI_ONLY = {"pyside6-essentials", "pyside6-addons", "pyside6", "shiboken6", "zxing-cpp"}


def test_the_wheels_server_requirements_name_no_qt(tmp_path):
    """What pip reads: the built wheel's metadata, evaluated for the server extra on Linux and Windows."""
    subprocess.run([UV, "build", "--wheel", "--offline", "-q", "-o", str(tmp_path)], cwd=REPO, check=True,
                   timeout=300)
    [wheel] = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        [metadata] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        lines = archive.read(metadata).decode().splitlines()
    requirements = [Requirement(line.split(": ", 1)[1]) for line in lines if line.startswith("Requires-Dist: ")]
    for platform in ("linux", "win32"):
        def wanted(extra: str) -> set[str]:
            return {r.name.lower() for r in requirements
                    if r.marker is None or r.marker.evaluate({"extra": extra, "sys_platform": platform})}
        server, kiosk = wanted("server"), wanted("kiosk")
        assert not server & GUI_ONLY, server
        assert {"fastapi", "uvicorn", "prometheus-client", "cryptography", "python-stdnum"} <= server
        assert {"pyside6-essentials", "pyside6-addons", "zxing-cpp", "requests"} <= kiosk


def test_a_server_installed_from_the_lockfile_alone_runs_without_qt(tmp_path):
    """The server extra installed into a throwaway environment (offline, from uv.lock and uv's cache): no
    PySide6 in it, and `kiosk-server` there registers a booth and serves /v1/ready and /metrics."""
    env = tmp_path / "venv"
    subprocess.run([UV, "sync", "--locked", "--offline", "--no-dev", "--extra", "server", "--no-editable", "-q"],
                   cwd=REPO, check=True, timeout=300, env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(env)})
    [site] = env.glob("lib/python3*/site-packages")
    installed = {p.name.lower() for p in site.iterdir()}
    assert not {n for n in installed if n.startswith(("pyside6", "shiboken6", "zxing"))}, installed
    size_mb = sum(f.stat().st_size for f in env.rglob("*") if f.is_file()) / 1e6
    assert size_mb < 150, size_mb          # PySide6 alone is ~650 MB
    server_bin = env / "bin" / "kiosk-server"
    data = ["--data-dir", str(tmp_path / "data")]
    booth = subprocess.run([str(server_bin), "new-booth", "--booth", "b-1", "--event", "e-1", *data], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)
    assert booth.returncode == 0, booth.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(server_bin), "serve", "--port", str(port), "--access-log", "off", *data],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ready = requests.get(f"http://127.0.0.1:{port}/v1/ready", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
                time.sleep(0.2)
        assert ready.status_code == 200
        assert "kiosk_server_records_total" in requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        modules = subprocess.run([str(env / "bin" / "python"), "-c",
                                  "import sync.server.app, sync.server.cli, sys; "
                                  "print(any(m.startswith('PySide6') for m in sys.modules))"],
                                 capture_output=True, text=True, timeout=60)
        assert modules.stdout.strip() == "False"
    finally:
        server.terminate()
        server.wait(timeout=20)
