"""The deployment files (docs/deploy) agree with the server: settings they set exist, paths they copy exist,
the systemd unit is one systemd accepts. Docker itself does not run on the development machine (no daemon)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from sync.server.operations import READY_PATH
from sync.server.settings import SETTINGS

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "docs" / "deploy"
ENVS = {s.env for s in SETTINGS}
DOCKERFILE = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
UNIT = (DEPLOY / "kiosk-server.service").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_every_server_setting_the_files_set_is_one_the_server_reads():
    named = set()
    for text in (DOCKERFILE, UNIT, (DEPLOY / "compose.yaml").read_text(encoding="utf-8")):
        named |= set(re.findall(r"\b(KIOSK_SERVER_[A-Z_]+)\b", text))
    assert named and named <= ENVS, named - ENVS


def test_the_systemd_unit_is_accepted_by_systemd(tmp_path):
    """systemd-analyze verify, with ExecStart pointed at this checkout's real kiosk-server."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing (.ci/run installs systemd)"
    command = Path(sys.executable).parent / "kiosk-server"
    unit = tmp_path / "kiosk-server.service"
    unit.write_text(UNIT.replace("/opt/kiosk-server/bin/kiosk-server", str(command)), encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "kiosk-server.service" in line]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr
    assert "RestartPreventExitStatus=2" in UNIT       # a setting it cannot use does not restart for ever


def test_the_image_installs_what_the_lean_install_test_installs_from_files_that_exist():
    """The image copies the wheel's packages and runs the same `uv sync` as tests/test_lean_server_install.py."""
    wheel_packages = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copied = {line.split()[1] for line in DOCKERFILE.splitlines() if line.startswith("COPY ") and "--from" not in line}
    assert set(wheel_packages) <= copied
    for source in copied:
        assert (REPO / source).exists(), source
    assert "RUN uv sync --locked --no-dev --extra server --no-editable" in DOCKERFILE
    assert READY_PATH in DOCKERFILE                   # the health check asks for readiness (the database)


def test_compose_reaches_the_server_only_through_the_proxy_which_alone_may_name_clients():
    server, proxy = COMPOSE["services"]["server"], COMPOSE["services"]["proxy"]
    assert "ports" not in server
    proxy_address = proxy["networks"]["inside"]["ipv4_address"]
    assert server["environment"]["KIOSK_SERVER_FORWARDED_ALLOW_IPS"] == proxy_address
    assert {v.split(":")[1] for v in server["volumes"]} == {"/var/lib/kiosk-server", "/var/lib/kiosk-server-key"}
    assert "KIOSK_SERVER_CITY_KEY=/var/lib/kiosk-server-key/city-seal.key" in DOCKERFILE   # key apart from the data
    assert (DEPLOY / proxy["volumes"][0].split(":")[0]).is_file()                             # the Caddyfile


def test_compose_runs_the_server_on_its_own_postgresql_which_only_the_server_reaches():
    """The compose file's database is PostgreSQL: the server's database setting names the db service, its user and
    database, with the password from the same variable PostgreSQL is given; nothing publishes the database."""
    from urllib.parse import urlsplit

    from sync.server.storage.backend import is_postgresql_url

    server, db = COMPOSE["services"]["server"], COMPOSE["services"]["db"]
    variable = "${KIOSK_DB_PASSWORD:?set KIOSK_DB_PASSWORD}"   # compose substitutes it before the server reads it
    assert db["environment"]["POSTGRES_PASSWORD"] == variable
    url = server["environment"]["KIOSK_SERVER_DATABASE"].replace(variable, "s3cret-pw")
    assert is_postgresql_url(url)
    parts = urlsplit(url)
    assert parts.hostname == "db" and parts.username == db["environment"]["POSTGRES_USER"]
    assert parts.path.lstrip("/") == db["environment"]["POSTGRES_DB"]
    assert parts.password == "s3cret-pw" and parts.port == 5432
    assert "ports" not in db and "inside" in db["networks"]
    assert server["depends_on"]["db"]["condition"] == "service_healthy" and "pg_isready" in db["healthcheck"]["test"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])   # the data outlives the container
