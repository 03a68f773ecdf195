"""The server's settings: declared once, documented in docs/server.md, read from options or environment."""

from pathlib import Path

import pytest

from sync.server.settings import SETTINGS, load_settings

DOC = (Path(__file__).resolve().parent.parent / "docs" / "server.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_server_setting_is_documented(setting):
    assert f"| {setting.name} | `{setting.env}` |" in DOC


def test_options_win_over_environment_which_wins_over_defaults():
    settings = load_settings({"max_batch": "50", "port": None},
                             environ={"KIOSK_SERVER_MAX_BATCH": "70", "KIOSK_SERVER_PORT": "9001"})
    assert settings.max_batch == 50 and settings.port == 9001
    assert load_settings({}, environ={"KIOSK_SERVER_DATA_DIR": "/srv/city"}).database == Path("/srv/city/city-server.sqlite3")


def test_the_audit_log_is_on_by_default_beside_the_database():
    assert load_settings({"database": "data/city.sqlite3"}, environ={}).audit_log == Path("data/city-audit.jsonl")
    assert load_settings({}, environ={"KIOSK_SERVER_AUDIT_LOG": "/var/log/k.jsonl"}).audit_log == Path("/var/log/k.jsonl")


def test_forwarded_addresses_and_docs_are_off_by_default():
    settings = load_settings({}, environ={})
    assert settings.forwarded_allow_ips == "" and settings.api_docs == "off"


def test_a_postgresql_url_is_the_database_as_given_and_the_audit_log_goes_to_the_data_folder():
    url = "postgresql://kiosk:s3cret@db.internal:5432/kiosk?sslmode=verify-full"
    for settings in (load_settings({"database": url, "data_dir": "/srv/city"}, environ={}),
                     load_settings({}, environ={"KIOSK_SERVER_DATABASE": url, "KIOSK_SERVER_DATA_DIR": "/srv/city"})):
        assert settings.database == url                      # not a Path: "//" would collapse to "/"
        assert settings.audit_log == Path("/srv/city/city-server-audit.jsonl")


def test_an_unreachable_postgresql_is_one_line_without_the_password_and_exit_2(tmp_path, capsys):
    from sync.server.cli import main

    url = "postgresql://kiosk:s3cret@127.0.0.1:1/kiosk?connect_timeout=2"   # nothing listens on port 1
    assert main(["--database", url, "--data-dir", str(tmp_path), "new-booth", "--booth", "b", "--event", "e"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kiosk-server: database: postgresql://kiosk@127.0.0.1:1/kiosk: cannot open: ")
    assert err.count("\n") == 1 and "s3cret" not in err
