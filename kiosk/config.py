"""The event and booth configuration: a TOML file read into immutable named tuples.

Invalid configuration is refused at start with the file, the key and the reason. Named tuples rather than
frozen dataclasses: the configuration is read before the attract screen's first paint, and the dataclass
decorator writes and compiles each class's methods at import (~1 ms a class, ~10 ms here with the
dataclasses module); a ``typing.NamedTuple`` is as immutable, replaced with ``_replace`` and listed with
``_fields``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

VENUE_TYPES = ("main", "sub")
# Sensitive personal information under PIPL art. 28 (biometrics, health, religion …) needs a separate
# consent (art. 29); the booth does not collect it unless the config carries that separate text.
SENSITIVE_FIELDS = frozenset({"id_photo", "id_card_photo", "photo", "face", "fingerprint", "biometric",
                              "health", "health_notes", "medical", "medical_history", "diagnosis",
                              "religion", "bank_account", "precise_location"})
HANDOUT_KINDS = ("gift", "leaflet", "welfare_pack", "prize")


class ConfigError(ValueError):
    """A configuration file that cannot be used, with where and why."""

    def __init__(self, path: Path | str, key: str, reason: str):
        self.path, self.key, self.reason = Path(path), key, reason
        super().__init__(f"{path}: [{key}] {reason}")


class Named(NamedTuple):
    """A thing with a Chinese name, an English name and an id."""

    id: str
    name: str
    name_en: str


class Service(NamedTuple):
    """A service of the day; a ``Named`` with where it is (named tuples do not inherit fields)."""

    id: str
    name: str
    name_en: str
    location: str = ""
    location_en: str = ""


class HandoutItem(NamedTuple):
    """Something handed out at the booth; a ``Named`` with its kind and stock."""

    id: str
    name: str
    name_en: str
    kind: str = "gift"
    stock: int = 0
    one_per_member: bool = False
    low_stock: int = 10


class Event(NamedTuple):
    id: str
    name: str
    name_en: str
    date: str
    demo: bool = False


class Booth(NamedTuple):
    id: str
    name: str
    name_en: str
    district: str
    street: str
    organisation: str
    venue_type: str


class RegistrationSettings(NamedTuple):
    join_url: str
    notice_version: str
    occupations: tuple[Named, ...]
    employer_picks: tuple[str, ...]
    oath_enabled: bool
    oath_text: str
    min_age: int
    max_age: int
    districts: tuple[str, ...]
    optional_fields: tuple[str, ...] = ()
    phone_join: str = "server"   # "server": the city server's /join page once enrolled; "join_url": always join_url


class QuizSettings(NamedTuple):
    questions_per_round: int
    pass_mark: int
    bank: Path
    prize_item: str
    topic_weights: tuple[tuple[str, int], ...] = ()  # (topic, weight 1–10): favour the booth's audience


class IdleSettings(NamedTuple):
    timeout_s: int
    countdown_s: int
    console_lock_s: int


class Config(NamedTuple):
    path: Path
    event: Event
    booth: Booth
    registration: RegistrationSettings
    services: tuple[Service, ...]
    consultation_topics: tuple[Named, ...]
    handouts: tuple[HandoutItem, ...]
    quiz: QuizSettings
    idle: IdleSettings
    retention_days: int
    server_url: str
    raw: dict[str, Any]  # the parsed file as read, for what has no field of its own
    city_public_key: str = ""  # the city's X25519 public key (base64); a real event's booths seal to it
    employer_needs: tuple[Named, ...] = ()    # [[employers.needs]]: tiles of the employer meeting form
    employer_package: tuple[Named, ...] = ()  # [[employers.package]]: 服务包 items an enterprise may agree to

    def __repr__(self) -> str:  # without ``raw``: the whole file again
        return f"Config({', '.join(f'{name}={getattr(self, name)!r}' for name in self._fields if name != 'raw')})"

    def service(self, service_id: str) -> Service:
        return _by_id(self.services, service_id, self.path, "services")

    def handout(self, item_id: str) -> HandoutItem:
        return _by_id(self.handouts, item_id, self.path, "handouts")


def load_config(path: Path | str) -> Config:
    """Read and check a configuration file; raises ``ConfigError`` naming the key at fault.

    Always parsed from the file itself: an earlier version kept the parse in the platform cache folder and
    read it back when its stored text matched, so anyone able to write that folder (the booth account)
    could change the join link, the retention or the server while ``event.toml`` stayed unchanged."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "-", "file not found") from None
    raw = _parse_toml(path, text)
    return config_from_raw(raw, path)


def config_from_raw(raw: dict[str, Any], path: Path | str) -> Config:
    """Check an already parsed configuration (a file's, or one the city server distributed) and build it;
    raises ``ConfigError`` naming the key at fault. ``path`` names where it came from; relative paths in it
    (the quiz bank) resolve against its folder."""
    path = Path(path)
    if not isinstance(raw, dict):
        raise ConfigError(path, "-", "not a table of settings")
    r = _Reader(path, raw)
    services = tuple(Service(**_named(r, "services", i, s), location=r.opt_str(s, f"services[{i}].location"),
                             location_en=r.opt_str(s, f"services[{i}].location_en"))
                     for i, s in enumerate(r.table_list(raw, "services")))
    handouts = tuple(_handout(r, i, h) for i, h in enumerate(r.table_list(raw, "handouts")))
    config = Config(
        path=path,
        event=Event(id=r.str("event.id"), name=r.str("event.name"), name_en=r.str("event.name_en"),
                    date=r.str("event.date"), demo=r.bool("event.demo", False)),
        booth=_booth(r),
        registration=_registration(r),
        services=services,
        consultation_topics=tuple(Named(**_named(r, "consultation_topics", i, t))
                                  for i, t in enumerate(r.table_list(raw, "consultation_topics"))),
        handouts=handouts,
        quiz=QuizSettings(questions_per_round=r.int("quiz.questions_per_round", 5, lo=1, hi=50),
                          pass_mark=r.int("quiz.pass_mark", 4, lo=0, hi=50),
                          bank=(path.parent / r.str("quiz.bank", "quiz-bank.toml")),
                          prize_item=r.str("quiz.prize_item", ""),
                          topic_weights=_topic_weights(r)),
        idle=IdleSettings(timeout_s=r.int("idle.timeout_s", 60, lo=5, hi=3600),
                          countdown_s=r.int("idle.countdown_s", 10, lo=1, hi=120),
                          console_lock_s=r.int("idle.console_lock_s", 120, lo=10, hi=3600)),
        retention_days=r.int("retention.days", 7, lo=0, hi=365),
        server_url=r.str("sync.server_url", ""),
        raw=raw,
        city_public_key=_city_public_key(r),
        employer_needs=_employer_tiles(r, "needs", DEFAULT_EMPLOYER_NEEDS),
        employer_package=_employer_tiles(r, "package", DEFAULT_EMPLOYER_PACKAGE),
    )
    _check_cross_references(config)
    return config


DEFAULT_EMPLOYER_NEEDS = (Named("welfare", "职工福利", "Worker welfare"), Named("legal", "法律服务", "Legal services"),
                          Named("skills", "技能培训", "Skills training"), Named("counselling", "心理咨询", "Counselling"),
                          Named("founding", "建会指导", "Help founding a union"))
DEFAULT_EMPLOYER_PACKAGE = (Named("legal_checkup", "劳动用工法律体检", "Employment law check-up"),
                            Named("training", "职工技能培训", "Worker skills training"),
                            Named("welfare", "会员普惠服务", "Member benefits"),
                            Named("counselling", "职工心理服务", "Worker counselling"),
                            Named("founding", "建会全程指导", "Guidance through founding"))


def _employer_tiles(r: _Reader, name: str, default: tuple[Named, ...]) -> tuple[Named, ...]:
    """``[[employers.needs]]`` / ``[[employers.package]]``: id, name, name_en each; the defaults when absent."""
    employers = r.raw.get("employers", {})
    if not isinstance(employers, dict) or name not in employers:
        return default
    items = tuple(Named(**_named(r, f"employers.{name}", i, t))
                  for i, t in enumerate(r.table_list(employers, name, key=f"employers.{name}")))
    if len({t.id for t in items}) != len(items):
        raise ConfigError(r.path, f"employers.{name}", "ids must be unique")
    return items or default


def _city_public_key(r: _Reader) -> str:
    """``sync.city_public_key``: required for a real event, so that no booth ever holds a key that opens what
    it sealed; the demo event may leave it out and seal to a device key of its own (docs/privacy.md)."""
    text = r.str("sync.city_public_key", "")
    if not text:
        if not r.bool("event.demo", False):
            raise ConfigError(r.path, "sync.city_public_key", "a real event needs the city's public key "
                              "(`kiosk-server city-key` prints it); only a demo event (event.demo = true) may leave it out")
        return ""
    import base64
    import binascii

    try:
        if len(base64.b64decode(text, validate=True)) == 32:
            return text
    except (binascii.Error, ValueError):
        pass
    raise ConfigError(r.path, "sync.city_public_key", "must be the base64 of a 32-byte X25519 public key")


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "-", f"not valid TOML: {exc}") from None


def _booth(r: _Reader) -> Booth:
    venue = r.str("booth.venue_type", "sub")
    if venue not in VENUE_TYPES:
        raise ConfigError(r.path, "booth.venue_type", f"must be one of {', '.join(VENUE_TYPES)}, not {venue!r}")
    return Booth(id=r.str("booth.id"), name=r.str("booth.name"), name_en=r.str("booth.name_en"),
                 district=r.str("booth.district"), street=r.str("booth.street"),
                 organisation=r.str("booth.organisation"), venue_type=venue)


def _registration(r: _Reader) -> RegistrationSettings:
    occupations = tuple(Named(**_named(r, "registration.occupations", i, o))
                        for i, o in enumerate(r.table_list(r.get("registration", {}), "occupations",
                                                           key="registration.occupations")))
    if not occupations:
        raise ConfigError(r.path, "registration.occupations", "at least one occupation is needed")
    min_age = r.int("registration.min_age", 16, lo=14, hi=100)
    max_age = r.int("registration.max_age", 80, lo=14, hi=120)
    if max_age < min_age:
        raise ConfigError(r.path, "registration.max_age", f"{max_age} is below min_age {min_age}")
    optional_fields = tuple(r.str_list("registration.optional_fields"))
    for name in optional_fields:
        consent = r.get(f"registration.sensitive_consent.{name}")
        if name in SENSITIVE_FIELDS and not (isinstance(consent, str) and consent.strip()):
            raise ConfigError(r.path, f"registration.optional_fields",
                              f"{name!r} is sensitive personal information: it needs its own consent text in "
                              f"[registration.sensitive_consent] {name} = \"…\" (PIPL art. 29), or leave it out")
    oath_enabled = r.bool("registration.oath_enabled", True)
    oath_text = r.str("registration.oath_text", "" if not oath_enabled else None)
    return RegistrationSettings(
        join_url=r.str("registration.join_url"),
        notice_version=r.str("registration.notice_version"),
        occupations=occupations,
        employer_picks=tuple(r.str_list("registration.employer_picks")),
        oath_enabled=oath_enabled,
        oath_text=oath_text,
        min_age=min_age,
        max_age=max_age,
        districts=tuple(r.str_list("registration.districts")),
        optional_fields=optional_fields,
        phone_join=_phone_join(r),
    )


def _phone_join(r: _Reader) -> str:
    value = r.str("registration.phone_join", "server")
    if value not in ("server", "join_url"):
        raise ConfigError(r.path, "registration.phone_join", f'must be "server" or "join_url", not {value!r}')
    return value


def _handout(r: _Reader, i: int, h: dict[str, Any]) -> HandoutItem:
    key = f"handouts[{i}]"
    kind = h.get("kind", "gift")
    if kind not in HANDOUT_KINDS:
        raise ConfigError(r.path, f"{key}.kind", f"must be one of {', '.join(HANDOUT_KINDS)}, not {kind!r}")
    stock = h.get("stock", 0)
    if not isinstance(stock, int) or isinstance(stock, bool) or stock < 0:
        raise ConfigError(r.path, f"{key}.stock", f"must be a whole number ≥ 0, not {stock!r}")
    low = h.get("low_stock", 10)
    if not isinstance(low, int) or isinstance(low, bool) or low < 0:
        raise ConfigError(r.path, f"{key}.low_stock", f"must be a whole number ≥ 0, not {low!r}")
    one = h.get("one_per_member", kind in ("welfare_pack", "prize"))
    if not isinstance(one, bool):
        raise ConfigError(r.path, f"{key}.one_per_member", f"must be true or false, not {one!r}")
    return HandoutItem(**_named(r, "handouts", i, h), kind=kind, stock=stock, one_per_member=one, low_stock=low)


def _topic_weights(r: _Reader) -> tuple[tuple[str, int], ...]:
    """``[quiz] topic_weights = { topic = 1…10 }``; whether each topic exists is checked against the bank."""
    value = r.get("quiz.topic_weights", {})
    if not isinstance(value, dict):
        raise ConfigError(r.path, "quiz.topic_weights", "must be a table of topic = weight")
    for topic, weight in value.items():
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 10:
            raise ConfigError(r.path, f"quiz.topic_weights.{topic}", f"must be a whole number from 1 to 10, not {weight!r}")
    return tuple(sorted(value.items()))


def _named(r: _Reader, section: str, i: int, item: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key in ("id", "name", "name_en"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(r.path, f"{section}[{i}].{key}", "a non-empty text is required")
        out[key] = value.strip()
    return out


def _check_cross_references(config: Config) -> None:
    for section, items in (("services", config.services), ("handouts", config.handouts),
                           ("consultation_topics", config.consultation_topics),
                           ("registration.occupations", config.registration.occupations)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                raise ConfigError(config.path, f"{section}[{i}].id", f"duplicate id {item.id!r}")
            seen.add(item.id)
    prize = config.quiz.prize_item
    if prize and prize not in {h.id for h in config.handouts}:
        raise ConfigError(config.path, "quiz.prize_item", f"no handout item with id {prize!r}")
    if config.quiz.pass_mark > config.quiz.questions_per_round:
        raise ConfigError(config.path, "quiz.pass_mark",
                          f"{config.quiz.pass_mark} is more than questions_per_round {config.quiz.questions_per_round}")


def _by_id(items: tuple[Any, ...], item_id: str, path: Path, section: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    raise ConfigError(path, section, f"no entry with id {item_id!r}")


class _Reader:
    """Typed access to dotted keys, raising ConfigError with the key's name."""

    def __init__(self, path: Path, raw: dict[str, Any]):
        self.path, self.raw = path, raw

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.raw
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def str(self, dotted: str, default: str | None = None) -> str:
        value = self.get(dotted, default)
        if value is None:
            raise ConfigError(self.path, dotted, "missing (a text is required)")
        if not isinstance(value, str):
            raise ConfigError(self.path, dotted, f"must be a text, not {type(value).__name__}")
        if default is None and not value.strip():
            raise ConfigError(self.path, dotted, "must not be empty")
        return value.strip()

    def opt_str(self, item: dict[str, Any], key: str) -> str:
        value = item.get(key.rsplit(".", 1)[-1], "")
        if not isinstance(value, str):
            raise ConfigError(self.path, key, f"must be a text, not {type(value).__name__}")
        return value

    def int(self, dotted: str, default: int, *, lo: int, hi: int) -> int:
        value = self.get(dotted, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(self.path, dotted, f"must be a whole number, not {value!r}")
        if not lo <= value <= hi:
            raise ConfigError(self.path, dotted, f"must be between {lo} and {hi}, not {value}")
        return value

    def bool(self, dotted: str, default: bool) -> bool:
        value = self.get(dotted, default)
        if not isinstance(value, bool):
            raise ConfigError(self.path, dotted, f"must be true or false, not {value!r}")
        return value

    def str_list(self, dotted: str) -> list[str]:
        value = self.get(dotted, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(self.path, dotted, "must be a list of non-empty texts")
        return [v.strip() for v in value]

    def table_list(self, parent: dict[str, Any], name: str, *, key: str | None = None) -> list[dict[str, Any]]:
        value = parent.get(name, []) if isinstance(parent, dict) else []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ConfigError(self.path, key or name, "must be a list of tables ([[...]])")
        return value
