"""What only the PostgreSQL backend has: `kiosk-server serve --database postgresql://…` as an operator starts it (the
start-up line names PostgreSQL and its version and never the password), and the commands on the same URL."""

import re
import subprocess
import sys
import time

import pytest
import requests
from psycopg.conninfo import conninfo_to_dict

from loopback import city  # noqa: F401 (a fixture)
from server_process import free_port


@pytest.mark.parametrize("backend", ["postgresql"])   # the URL form of the database setting
def test_serve_on_a_postgresql_url_says_so_and_hides_the_password(tmp_path, new_database):
    url = new_database(tmp_path)
    params = conninfo_to_dict(url)
    with_password = (f"postgresql://{params['user']}:s3cret-pw@/{params['dbname']}?host={params['host']}"
                     f"&port={params['port']}")   # the cluster trusts local users: accepted, never shown
    port = free_port()
    env_settings = ["--data-dir", str(tmp_path / "data"), "--access-log", "off"]
    booth = subprocess.run([sys.executable, "-m", "sync.server", "--database", with_password, *env_settings,
                            "new-booth", "--booth", "b-1", "--event", "e-1"], capture_output=True, text=True, timeout=60)
    assert booth.returncode == 0, booth.stderr
    assert (tmp_path / "data" / "enrolment-b-1.png").is_file()       # the QR code in the data folder
    server = subprocess.Popen([sys.executable, "-m", "sync.server", "serve", "--port", str(port), "--database",
                               with_password, *env_settings], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ready = requests.get(f"http://127.0.0.1:{port}/v1/ready", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        start_line = server.stdout.readline()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert ready.status_code == 200 and re.fullmatch(r"PostgreSQL 1\d\.\d+", ready.json()["database"])
    assert f"database {ready.json()['database']} at postgresql://{params['user']}@{params['host']}:{params['port']}/" \
           f"{params['dbname']};" in start_line
    assert "s3cret-pw" not in start_line + server.stderr.read() + booth.stdout + booth.stderr
    audit = (tmp_path / "data" / "city-server-audit.jsonl").read_text(encoding="utf-8")
    assert "new-booth" in audit and "s3cret-pw" not in audit


@pytest.mark.parametrize("backend", ["postgresql"])   # connections a database server can drop under the pool
def test_connections_the_database_dropped_cost_no_failed_request(city):
    """A PostgreSQL restart or failover drops every pooled connection: the next requests get fresh ones."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    from sync.server.accounts import create_booth

    code = create_booth(city.storage, booth_id="b-1", event_id="e-1", name="b")
    enrolled = requests.post(city.url + "/v1/enroll", json={"protocol": 1, "code": code, "device_id": "d-1"},
                             timeout=10)
    token = enrolled.json()["device_token"]
    name = conninfo_to_dict(city.settings.database)["dbname"]
    with psycopg.connect(make_conninfo(city.settings.database, dbname="postgres"), autocommit=True) as admin:
        dropped = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s",
                                [name]).fetchone()[0]
    assert dropped >= 1                                          # the server's pooled connections are gone
    answers = [requests.get(city.url + "/v1/devices/me/held", headers={"Authorization": f"Bearer {token}"},
                            timeout=10).status_code for _ in range(5)]
    answers.append(requests.get(city.url + "/v1/ready", timeout=10).status_code)
    assert answers == [200] * 6


@pytest.mark.parametrize("backend", ["postgresql"])   # the pool is PostgreSQL's
def test_a_process_holds_at_most_database_pool_connections(tmp_path, new_database):
    """Eight threads reading at once through a storage with database_pool 2: PostgreSQL sees two connections of it,
    and every read is answered (the others wait their turn)."""
    import threading

    import psycopg
    from psycopg.conninfo import make_conninfo

    from sync.server.storage import Storage

    url = new_database(tmp_path)
    storage = Storage(url, pool_size=2)
    name = conninfo_to_dict(url)["dbname"]
    answers, most = [], []

    def read():
        with storage.reading() as conn:
            answers.append(conn.execute("SELECT pg_sleep(0.3), 1").fetchone()[1])

    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as admin:
        threads = [threading.Thread(target=read) for _ in range(8)]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            most.append(admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()[0])
            time.sleep(0.05)
    storage.close()
    assert answers == [1] * 8
    assert max(most) == 2
