"""The README stays true: every declared setting and every CLI sub-command is documented."""

from pathlib import Path

import pytest

from kiosk.cli import build_parser
from kiosk.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme(setting):
    assert f"`{setting.env}`" in README
    assert f"| {setting.name} |" in README


def test_every_sub_command_is_in_the_readme():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"`kiosk {name}" in README, name


def test_quick_start_has_the_two_commands():
    assert "uv run kiosk " in README and "uv run pytest " in README
