"""`kiosk-server` and `kiosk` as a city IT team runs them: real processes, their exit codes and messages."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_SERVER_")} | (env or {})
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=cwd, env=environ, capture_output=True, text=True,
                          timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(server: subprocess.Popen, url: str) -> requests.Response:
    """The first answer of a starting `kiosk-server` at url; fails with its error output if it died, or after 30 s."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)


@pytest.mark.parametrize("command", ["kiosk", "kiosk-server"])
def test_both_commands_tell_their_version(command, tmp_path):
    """The distribution's version (pyproject.toml), which the server keeps as a constant (sync/server/__init__.py)."""
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    done = run(command, "--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"{command} {version}"


@pytest.mark.parametrize(("args", "env", "message"), [
    (["serve", "--port", "abc"], {}, "kiosk-server: --port: 'abc' is not a whole number"),
    (["--port", "70000", "serve"], {}, "kiosk-server: --port: 70000 is out of range (1 to 65535)"),
    (["serve", "--port", "0"], {}, "kiosk-server: --port: 0 is out of range (1 to 65535)"),
    (["city-key"], {"KIOSK_SERVER_WORKERS": "two"}, "kiosk-server: KIOSK_SERVER_WORKERS: 'two' is not a whole number"),
    (["serve", "--header-timeout-s", "-1"], {}, "kiosk-server: --header-timeout-s: -1 is out of range (0.1 to 3600)"),
    (["serve", "--api-docs", "yes"], {}, "kiosk-server: --api-docs: 'yes' is not one of on, off"),
    (["serve", "--tls-cert", "missing.pem", "--tls-key", "missing.key"], {},
     "kiosk-server: tls-cert: missing.pem: no such file"),
    (["serve", "--tls-cert", "missing.pem"], {}, "kiosk-server: tls-cert and tls-key go together: give both or neither"),
    (["city-key", "--database", "a-file/city.sqlite3"], {},
     "kiosk-server: database: a-file/city.sqlite3: a-file is a file, not a folder"),
    (["city-key", "--city-key", "."], {}, "kiosk-server: city-key: . is a folder, not a file"),
])
def test_a_setting_the_server_cannot_use_is_one_line_and_exit_2(args, env, message, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    done = run("kiosk-server", "--database", "d/city.sqlite3", "--city-key", "d/city.key", *args, cwd=tmp_path,
               env=env)
    assert done.returncode == 2
    assert done.stderr == message + "\n"            # one line, no traceback
    assert not (tmp_path / "d" / "city.key").exists()   # nothing was started or created


def test_a_database_folder_that_cannot_be_made_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "locked").mkdir(mode=0o500)
    if os.geteuid() == 0:   # root writes anywhere; a folder under a file cannot be made by anyone
        folder = "/proc/version/x"
    else:
        folder = str(tmp_path / "locked" / "x")
    done = run("kiosk-server", "city-key", "--database", f"{folder}/city.sqlite3", "--city-key",
               str(tmp_path / "k"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"kiosk-server: database: {folder}/city.sqlite3:") and done.stderr.count("\n") == 1


def test_a_database_that_is_not_one_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "notes.txt").write_text("this is not a database, but it is long enough to have a header" * 10)
    done = run("kiosk-server", "new-booth", "--booth", "b-1", "--event", "e-1", "--database", "notes.txt",
               "--city-key", "k", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "kiosk-server: database: notes.txt: cannot open: file is not a database\n"


def test_an_unknown_option_is_exit_2_from_argparse(tmp_path):
    done = run("kiosk-server", "serve", "--prot", "9000", cwd=tmp_path)
    assert done.returncode == 2 and "unrecognized arguments: --prot 9000" in done.stderr


def test_settings_after_the_sub_command_are_used(tmp_path):
    """`kiosk-server serve --port N --database X`: the server answers on N and keeps its data in X."""
    port = free_port()
    data = tmp_path / "data"
    server = subprocess.Popen([str(BIN / "kiosk-server"), "serve", "--port", str(port), "--database",
                               str(data / "city.sqlite3"), "--city-key", str(data / "city.key")],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert first_answer(server, f"http://127.0.0.1:{port}/v1/health").status_code == 200
        start_line = server.stdout.readline()
        access_line = server.stdout.readline()          # the access log, on standard output by default
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert (data / "city.sqlite3").is_file() and (data / "city.key").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    import sqlite3

    assert start_line == (f"kiosk-server 0.1.0: listening on http://127.0.0.1:{port} (1 worker); database SQLite "
                          f"{sqlite3.sqlite_version} at {data / 'city.sqlite3'}; city key {data / 'city.key'}\n")
    assert '"path":"/v1/health","status":200' in access_line     # nothing in the current folder


def test_a_sub_command_option_before_the_settings_keeps_the_settings(tmp_path):
    """Settings before the sub-command are not reset by the sub-command's parser."""
    done = run("kiosk-server", "--database", "x/db.sqlite3", "--city-key", "x/k", "city-key", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "x" / "k").is_file()


def test_serve_on_a_taken_address_is_exit_3(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("kiosk-server", "serve", "--port", str(port), "--database", "d/c.sqlite3", "--city-key", "d/k",
                   cwd=tmp_path)
    assert done.returncode == 3 and "address already in use" in done.stderr
    assert "listening on" not in done.stdout     # the start-up line says so only once it is true


def test_serve_imports_nothing_its_pages_do_not_need(tmp_path):
    """`kiosk-server serve` on SQLite, started to its first answered page: PostgreSQL's driver, a WebSocket library,
    the Excel writer and the QR code maker were never imported (each cost every start CPU time; issue 17: a start
    to the first page in under a second). Python's own import log of the real process says what was imported."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_SERVER_")}
    server = subprocess.Popen([sys.executable, "-X", "importtime", str(BIN / "kiosk-server"), "serve", "--port",
                               str(port), "--data-dir", str(tmp_path / "data")],
                              cwd=tmp_path, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert first_answer(server, f"http://127.0.0.1:{port}/city").status_code == 200
    finally:
        server.terminate()
        log = server.communicate(timeout=20)[1]
    imported = {line.split("|")[-1].strip() for line in log.splitlines() if line.startswith("import time:")}
    assert {"fastapi", "sync.server.app", "sqlite3"} <= imported        # the log is the server's
    never = {"psycopg", "psycopg_pool", "wsproto", "websockets", "openpyxl", "qrcode"}
    assert imported & never == set()


# -- where the data lives ------------------------------------------------------------------------

def platform_home(tmp_path: Path) -> dict[str, str]:
    """A home of its own, so the platform's data folder (XDG_DATA_HOME on Linux) is inside the test's folder."""
    return {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "home" / ".local" / "share")}


def test_by_default_the_key_and_database_go_to_the_platform_data_folder_not_the_current_one(tmp_path):
    work = tmp_path / "checkout"
    work.mkdir()
    done = run("kiosk-server", "new-booth", "--booth", "b-1", "--event", "e-1", cwd=work, env=platform_home(tmp_path))
    assert done.returncode == 0, done.stderr
    assert run("kiosk-server", "city-key", cwd=work, env=platform_home(tmp_path)).returncode == 0
    folder = tmp_path / "home" / ".local" / "share" / "kiosk-server"
    assert {"city-seal.key", "city-server-audit.jsonl", "city-server.sqlite3", "enrolment-b-1.png"} <= {
        p.name for p in folder.iterdir()}
    assert (folder / "city-seal.key").stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("how", ["option", "after", "environment"])
def test_the_data_folder_is_chosen_by_option_or_environment(how, tmp_path):
    data = tmp_path / "srv" / "city"
    args, env = {"option": (["--data-dir", str(data), "city-key"], {}),
                 "after": (["city-key", "--data-dir", str(data)], {}),
                 "environment": (["city-key"], {"KIOSK_SERVER_DATA_DIR": str(data)})}[how]
    done = run("kiosk-server", *args, cwd=tmp_path, env=platform_home(tmp_path) | env)
    assert done.returncode == 0, done.stderr
    assert (data / "city-seal.key").is_file() and (data / "city-server-audit.jsonl").is_file()
    assert not (tmp_path / "home").exists()


def test_an_old_deployment_in_the_current_folder_is_named_and_no_second_key_is_made(tmp_path):
    """The key and database an older version left in the current folder are not silently replaced."""
    old = tmp_path / "old-deployment"
    old.mkdir()
    for command in (["new-booth", "--booth", "b-1", "--event", "e-1"], ["city-key"]):     # as an old version did
        assert run("kiosk-server", "--data-dir", ".", *command, cwd=old).returncode == 0
    key_before = (old / "city-seal.key").read_bytes()
    done = run("kiosk-server", "city-key", cwd=old, env=platform_home(tmp_path))
    assert done.returncode == 2
    folder = tmp_path / "home" / ".local" / "share" / "kiosk-server"
    assert done.stderr == (
        f"kiosk-server: city-server.sqlite3 and city-seal.key found in the current folder (where older versions "
        f"kept them), but the server now uses {folder}: move them there (or give --data-dir/--database/--city-key); "
        f"nothing was started, no second city key was created\n")
    assert not folder.exists()
    # moved as told, the same key serves
    folder.mkdir(parents=True)
    for name in ("city-seal.key", "city-server.sqlite3"):
        (old / name).rename(folder / name)
    moved = run("kiosk-server", "city-key", cwd=old, env=platform_home(tmp_path))
    assert moved.returncode == 0 and (folder / "city-seal.key").read_bytes() == key_before


def test_the_repository_ignores_key_and_database_files():
    """A checkout's `git add -A` never commits a city key or a database, wherever in the tree they are."""
    names = ["city-seal.key", "sub/dir/city-seal.key", "city-server.sqlite3", "city-server.sqlite3-wal",
             "city-server-audit.jsonl", "enrolment-b-1.png", "my.sqlite3", "x.key"]
    done = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=REPO, capture_output=True, text=True,
                          timeout=30)
    assert sorted(done.stdout.split()) == sorted(names)


def test_processes_starting_together_on_a_fresh_folder_make_one_city_key(tmp_path):
    """Three `kiosk-server` processes at the same instant on an empty data folder (workers, a container and an
    admin command): all succeed, all print the same key, one key file and no leftovers; three times over."""
    script = ("import sys, time; start = float(sys.argv[1])\n"
              "while time.time() < start: pass\n"
              "from sync.server.cli import main; sys.exit(main(sys.argv[2:]))\n")
    for attempt in range(3):
        data = tmp_path / f"data{attempt}"
        start = time.time() + 1.5
        procs = [subprocess.Popen([sys.executable, "-c", script, str(start), "--data-dir", str(data), "city-key"],
                                  cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
        outputs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], outputs
        keys = {out.strip() for out, _ in outputs}
        assert len(keys) == 1
        assert sorted(p.name for p in data.iterdir() if "key" in p.name) == ["city-seal.key"]
        assert (data / "city-seal.key").stat().st_mode & 0o777 == 0o600


def test_an_access_log_file_in_a_new_folder_is_made_owner_only_and_gets_each_request(tmp_path):
    port = free_port()
    server = subprocess.Popen([str(BIN / "kiosk-server"), "serve", "--port", str(port), "--data-dir", "data",
                               "--access-log", "logs/access.jsonl"], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert first_answer(server, f"http://127.0.0.1:{port}/v1/ready").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
    log = tmp_path / "logs" / "access.jsonl"
    assert log.stat().st_mode & 0o777 == 0o600
    assert '"path":"/v1/ready","status":200' in log.read_text(encoding="utf-8").splitlines()[-1]
