"""A quiz bank or topic weight the quiz cannot use stops the kiosk at start with a clear message and exit 2."""

import subprocess
import sys

from kiosk.cli import main
from kiosk.settings import DEMO_CONFIG, RESOURCES


def event_with(tmp_path, quiz_lines: str):
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace(
        'bank = "quiz-bank.toml"', f'bank = "{(RESOURCES / "quiz-bank.toml").as_posix()}"\n{quiz_lines}')
    config = tmp_path / "event.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_the_gui_shows_the_refusal_and_exits_2_for_a_topic_weight_the_bank_lacks(tmp_path):
    config = event_with(tmp_path, 'topic_weights = { "astronomy" = 3 }')
    picture = tmp_path / "refusal.png"
    watched = ("import os, sys; from kiosk.package.probe import install; install(os.environ['KIOSK_PACKAGE_PROBE']); "
               "from kiosk.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", watched, "--windowed", "--data-dir", str(tmp_path / "data"),
                           "--config", str(config)],
                          capture_output=True, text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", "XDG_CACHE_HOME": str(tmp_path / "cache"),
                               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "KIOSK_PACKAGE_PROBE": f"refusal={picture}"})
    assert done.returncode == 2, done.stderr[-2000:]
    shown = [line for line in done.stdout.splitlines() if line.startswith("refusal ")]
    assert shown and "shown=True" in shown[0] and "题库或答题设置无法使用" in shown[0]
    assert "astronomy" in shown[0] and "The quiz bank or quiz settings cannot be used" in shown[0]
    assert picture.stat().st_size > 5000
    assert "quiz bank refused" in done.stderr and "astronomy" in done.stderr


def test_a_command_that_builds_the_quiz_refuses_the_same_way(tmp_path, capsys):
    config = event_with(tmp_path, 'topic_weights = { "astronomy" = 3 }')
    code = main(["screenshots", "--out", str(tmp_path / "shots"), "--config", str(config),
                 "--data-dir", str(tmp_path / "data")])
    assert code == 2 and "quiz bank refused" in capsys.readouterr().err
    assert not list(tmp_path.glob("shots/*.png"))  # nothing rendered


def test_a_weight_out_of_range_is_refused_when_the_file_is_read(tmp_path, capsys):
    config = event_with(tmp_path, 'topic_weights = { "road-safety" = 11 }')
    code = main(["status", "--config", str(config), "--data-dir", str(tmp_path / "data")])
    assert code == 2 and "quiz.topic_weights.road-safety" in capsys.readouterr().err
