"""A configuration the city server distributed, checked and adopted by the running kiosk (no Qt).

The sync engine stores what it pulls in the ledger's meta (read by ``kiosk.pulled.pulled_distribution``).
``ConfigFollower.check`` reads it: a new version is checked exactly as a configuration file is at start
(``config_from_raw``) and must be for this event; one that fails is refused, the current configuration
stays, and the refusal is audited once per version. ``adopt`` makes a checked one the booth's configuration
and audits it; the GUI calls it only at a safe moment (nobody in the middle of a form: ``kiosk.ui.live_config``).
What stays the device's own: the booth as set up here, and the quiz bank's file (the city server distributes
the bank separately).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from kiosk.audit import Audit
from kiosk.config import Config, ConfigError, config_from_raw
from kiosk.pulled import pulled_distribution
from kiosk.record_writer import RecordWriter

APPLIED_META = "config:applied_version"
REFUSED_META = "config:refused_version"
# The parts of a configuration a running kiosk shows; a change names the ones that differ.
SECTIONS = ("event", "registration", "services", "consultation_topics", "handouts", "quiz", "idle", "retention_days")


class ConfigUpdate(NamedTuple):
    """A pulled version: ``config`` when it passed the checks, else ``problem`` says why it was refused."""

    version: str
    config: Config | None
    problem: str = ""
    changed: tuple[str, ...] = ()


def check_pulled(current: Config, version: str, content: Any) -> ConfigUpdate:
    """The pulled content checked as a file would be, for this event, keeping the device's own parts."""
    source = f"city server config v{version}"
    try:
        pulled = config_from_raw(content, current.path.parent / source)
    except ConfigError as exc:
        return ConfigUpdate(version, None, f"[{exc.key}] {exc.reason}")
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:  # hostile shapes
        return ConfigUpdate(version, None, f"unreadable: {type(exc).__name__}")
    if pulled.event.id != current.event.id:
        return ConfigUpdate(version, None, f"[event.id] for event {pulled.event.id!r}, this booth is at {current.event.id!r}")
    config = pulled._replace(path=current.path, booth=current.booth,
                             quiz=pulled.quiz._replace(bank=current.quiz.bank))
    return ConfigUpdate(version, config, changed=changed_sections(current, config))


def changed_sections(old: Config, new: Config) -> tuple[str, ...]:
    return tuple(name for name in SECTIONS if getattr(old, name) != getattr(new, name))


class ConfigFollower:
    """Follows the configuration versions pulled for this booth; one per running kiosk."""

    def __init__(self, writer: RecordWriter, audit: Audit):
        """``writer``: whose configuration every concept reads (adopting one replaces it for all at once)."""
        self.writer, self.audit = writer, audit
        self.version: str | None = None  # the pulled version in use (None: the file's)
        self.problem = ""  # why the latest pulled version was refused, for the console
        self._refused: str | None = None

    def check(self) -> ConfigUpdate | None:
        """A pulled version not yet in use and passing the checks, to adopt at the next safe moment;
        None when there is none (a failing one is refused here, once, and audited)."""
        pulled = pulled_distribution(self.writer.ledger, "config")
        if pulled is None or pulled[0] in (self.version, self._refused):
            return None
        version, content = pulled
        update = check_pulled(self.writer.config, version, content)
        if update.config is None:
            self._refuse(update)
            return None
        return update

    def adopt(self, update: ConfigUpdate) -> bool:
        """Make a checked version the booth's configuration; audited the first time this device adopts it
        (a restart adopts it again silently). Returns whether it was new to this device."""
        assert update.config is not None
        ledger = self.writer.ledger
        new = ledger.get_meta(APPLIED_META) != update.version
        self.writer.config = update.config
        self.version, self.problem = update.version, ""
        if new:
            self.audit.record_audit("config_applied", details={"version": update.version, "changed": list(update.changed)})
            ledger.set_meta(APPLIED_META, update.version)
        return new

    def _refuse(self, update: ConfigUpdate) -> None:
        self._refused, self.problem = update.version, update.problem  # the current configuration stays
        if self.writer.ledger.get_meta(REFUSED_META) != update.version:
            self.audit.record_audit("config_refused", details={"version": update.version, "problem": update.problem})
            self.writer.ledger.set_meta(REFUSED_META, update.version)
