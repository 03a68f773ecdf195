"""The personal-information notice text, one source for the kiosk's consent screen, the phone join page and
docs/privacy.md: resources/notice/notice.{zh,en}.md with ``$organisation``, ``$retention_days`` and
``$notice_version`` filled in."""

from __future__ import annotations

from pathlib import Path
from string import Template

NOTICE_DIR = Path(__file__).resolve().parent.parent / "resources" / "notice"


def render_notice(language: str, *, organisation: str, retention_days: int, notice_version: str,
                  folder: Path = NOTICE_DIR) -> str:
    """The notice in ``zh`` or ``en`` (Markdown). ``$names`` are replaced, anything else is left alone
    (safe_substitute) so a stray dollar sign in the operator's text cannot break it."""
    text = (folder / f"notice.{language}.md").read_text(encoding="utf-8")
    return Template(text).safe_substitute(organisation=organisation, retention_days=retention_days,
                                          notice_version=notice_version)
