"""The server's migration scripts are cut into statements as SQLite reads them, not at every ';'."""

import sqlite3

import pytest

from sync.server.storage import _run_statements

SCRIPT = """
    CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL DEFAULT 'a; b');
    CREATE TABLE note_log (note_id INTEGER, said TEXT);
    CREATE TRIGGER note_logged AFTER INSERT ON notes BEGIN
        INSERT INTO note_log VALUES (new.id, 'logged; once');
        INSERT INTO note_log VALUES (new.id, 'twice');
    END;
    INSERT INTO notes (text) VALUES ('semi;colon'); INSERT INTO notes DEFAULT VALUES;
"""


def test_semicolons_in_strings_and_trigger_bodies_stay_in_their_statement(tmp_path):
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    _run_statements(conn, script=SCRIPT)
    conn.execute("COMMIT")
    assert conn.execute("SELECT text FROM notes ORDER BY id").fetchall() == [("semi;colon",), ("a; b",)]
    assert conn.execute("SELECT said FROM note_log ORDER BY rowid").fetchall() == [
        ("logged; once",), ("twice",), ("logged; once",), ("twice",)]


def test_a_script_cut_off_inside_a_statement_is_refused_and_rolled_back(tmp_path):
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    with pytest.raises(ValueError, match="ends inside a statement"):
        _run_statements(conn, script="CREATE TABLE a (x TEXT); CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1;")
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []
