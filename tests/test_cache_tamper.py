"""The booth account can write the kiosk's cache folder; nothing written there overrides the configuration.

The real ``kiosk`` entry point runs in a subprocess with a cache folder an attacker prepared: a parsed
configuration in the format earlier versions read back (same text as ``event.toml``, another join link,
retention and server), and a join QR code drawn for another site under the real link's text. What the
kiosk built once its start finished is printed and compared with the file.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from kiosk.config import load_config
from kiosk.qr import QR_SETTINGS, join_url_with_booth, qr_matrix
from kiosk.settings import DEMO_CONFIG

STARTED = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import kiosk.app
from kiosk.cli import main
install_features = kiosk.app.install_features
def report(gui, core, **kwargs):
    print(repr({"join_url": core.config.registration.join_url, "retention_days": core.config.retention_days,
                "server_url": core.config.server_url, "qr_text": gui.window.attract.qr.text,
                "qr_matrix": gui.window.attract.qr.matrix}), flush=True)
    os._exit(0)
kiosk.app.install_features = report
sys.exit(main(["--windowed", "--data-dir", sys.argv[1]]))
"""


def test_a_forged_cache_changes_neither_the_configuration_nor_the_join_code(tmp_path):
    real = load_config(DEMO_CONFIG)
    link = join_url_with_booth(real.registration.join_url, event_id=real.event.id, booth_id=real.booth.id)
    cache = tmp_path / "cache" / "union-booth-kiosk"
    cache.mkdir(parents=True)
    raw = dict(real.raw)
    raw["registration"] = {**raw["registration"], "join_url": "https://evil.example/join"}
    raw["retention"], raw["sync"] = {"days": 365}, {"server_url": "https://evil.example"}
    (cache / "event-config.parsed").write_text(repr((DEMO_CONFIG.read_text(encoding="utf-8"), raw)), encoding="utf-8")
    forged = qr_matrix("https://evil.example/join")
    rows = ["".join("1" if dark else "0" for dark in row) for row in forged]
    (cache / "join-qr.txt").write_text("\n".join([QR_SETTINGS, link, *rows]), encoding="utf-8")

    environ = {k: v for k, v in os.environ.items() if k != "QT_IM_MODULE"}
    result = subprocess.run([sys.executable, "-c", STARTED, str(tmp_path / "data")], capture_output=True, text=True,
                            timeout=120, env={**environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr[-3000:]
    started = ast.literal_eval(result.stdout.strip().splitlines()[-1])

    assert started["join_url"] == real.registration.join_url == "https://example.org/join"
    assert started["retention_days"] == real.retention_days == 7
    assert started["server_url"] == real.server_url
    assert started["qr_text"] == link
    assert started["qr_matrix"] == qr_matrix(link) != forged  # what is on screen once the start finished
    assert not (cache / "join-qr.txt").exists() or "evil" not in (cache / "join-qr.txt").read_text()
