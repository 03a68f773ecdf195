"""A real, throwaway PostgreSQL cluster for the tests: initdb + pg_ctl in a temporary folder, a unix socket only.

The binaries come from ``pg_config --bindir`` or /usr/lib/postgresql/<newest>/bin (.ci/run installs Debian's
``postgresql``). initdb refuses to run as root, so as root (the development machine and CI) the cluster runs as
the ``postgres`` OS user, its folder owned by it. A missing PostgreSQL is an error, never a skip.

The tests' cluster trades durability for speed (fsync off): they look at what the server answers and stores,
not at what survives a power cut. ``Cluster(durable=True)`` (the benchmarks) keeps PostgreSQL's defaults
(fsync, synchronous commit, full page writes), as a production server runs. Each test gets its own database,
copied from a migrated template.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

TEMPLATE = "kiosk_template"


class PostgresMissing(RuntimeError):
    """PostgreSQL's server programs are not installed; the PostgreSQL half of the tests cannot run."""


def find_bindir() -> Path:
    """The folder of initdb and pg_ctl: $KIOSK_TEST_PG_BINDIR when set (and only it), else pg_config's, else the
    newest /usr/lib/postgresql/<version>/bin."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if os.environ.get("KIOSK_TEST_PG_BINDIR"):
        candidates, pg_config = [Path(os.environ["KIOSK_TEST_PG_BINDIR"])], None
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if done.returncode == 0:
            candidates.append(Path(done.stdout.strip()))
    if not os.environ.get("KIOSK_TEST_PG_BINDIR"):
        candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                               key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                                               else 0, reverse=True)]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresMissing("PostgreSQL's initdb/pg_ctl were not found (pg_config --bindir, /usr/lib/postgresql/*/bin): "
                          "install the server (Debian: apt-get install postgresql; .ci/run does)")


class Cluster:
    """One running cluster; ``new_database()`` gives a fresh database's URL."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.bindir = find_bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data, self.socket_dir = self.folder / "data", self.folder
        self.as_user: list[str] = []
        self.user = "kiosk"
        if os.geteuid() == 0:    # initdb: "cannot be run as root"
            runuser = shutil.which("runuser") or shutil.which("setpriv")
            if runuser is None:
                raise PostgresMissing("running as root, and neither runuser nor setpriv is there to drop to postgres")
            self.as_user = ([runuser, "-u", "postgres", "--"] if runuser.endswith("runuser")
                            else [runuser, "--reuid=postgres", "--regid=postgres", "--init-groups"])
            shutil.chown(self.folder, "postgres", "postgres")
        self._names = itertools.count(1)
        self._emptied: list[str] = []            # migrated databases a test gave back, emptied
        self._template_migrations: list[str] = []
        self.port = 5432   # only in the socket's name: the cluster listens on no TCP address

    def _run(self, *command: str, **kwargs: object) -> subprocess.CompletedProcess:
        done = subprocess.run([*self.as_user, *command], capture_output=True, text=True, timeout=120, **kwargs)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        return done

    def start(self) -> Cluster:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        self.resume()
        return self

    def resume(self) -> None:
        """Start the cluster's server (again, after ``pause``)."""
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' -c port={self.port} "
                   "-c max_connections=300 -c shared_buffers=128MB")
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
                  "-w", "-t", "60", "start")

    def pause(self, mode: str = "fast") -> None:
        """Stop the cluster's server as an operator or a crash would (pg_ctl stop -m fast or immediate); its data
        stays for ``resume``."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@/{database}?host={quote(str(self.socket_dir), safe='')}&port={self.port}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def make_template(self) -> None:
        """A database with every server migration applied, which new databases copy."""
        from sync.server.storage import Storage

        self.admin(f"CREATE DATABASE {TEMPLATE}")
        storage = Storage(self.url(TEMPLATE))
        self._template_migrations = storage.backend.applied_migrations()
        storage.close()

    def new_database(self, *, migrated: bool = True) -> str:
        """A fresh database (every migration applied, no rows; or nothing at all when not ``migrated``)."""
        if migrated and self._emptied:
            return self._emptied.pop()
        name = f"t{next(self._names)}"
        self.admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {TEMPLATE}" if migrated else ""))
        return self.url(name)

    def give_back(self, url: str) -> None:
        """A test is done with a migrated database: emptied (every table but the migrations' truncated, identities
        restarted: as fresh as a copy of the template, in a fifth of the time), it serves the next test. A database
        still locked by a server that did not stop, or in any other state, is dropped instead."""
        import psycopg

        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SET lock_timeout = '2s'")
                tables = [row[0] for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'")]
                applied = [row[0] for row in conn.execute("SELECT name FROM schema_migrations ORDER BY applied_order")]
                if applied != self._template_migrations:
                    raise ValueError("not the template's schema")
                conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        except (psycopg.Error, ValueError):
            self.drop(url)
            return
        self._emptied.append(url)

    def drop(self, url: str) -> None:
        name = url.split("/")[3].split("?")[0]
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.pause("immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
