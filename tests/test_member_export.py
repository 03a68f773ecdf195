"""The member export: admin token only; opened names, phones and ID numbers; corrections applied, voided
registrations left out, tampered envelopes reported and never exported."""

import csv
import io
import logging
import random

import pytest
import requests

from city_helpers import ADMIN_TOKEN, EVENT, Kiosk, admin_city  # noqa: F401 (admin_city is a fixture)
from kiosk.simulate import fake_registration
from loopback import LiveServer
from sync.server.cli import main as server_main

URL = f"/v1/admin/events/{EVENT}/members.csv"


@pytest.fixture
def city(admin_city):
    return admin_city


@pytest.fixture
def kiosk(tmp_path, city):
    made = Kiosk(tmp_path / "kiosk", city, booth_id="cy-wangjing")
    yield made
    made.close()


@pytest.fixture
def day(kiosk):
    """Three registrations: one corrected (name and phone), one voided, one as entered."""
    rng = random.Random(11)
    forms = [fake_registration(rng, kiosk.booth) for _ in range(3)]
    members = [kiosk.booth.members.register(form) for form in forms]
    kiosk.booth.corrections.correct_registration(members[0].record_id, reason="姓名录入错误", name="王晓明", phone="13912345678")
    kiosk.booth.corrections.void(members[1].record_id, "重复登记")
    kiosk.booth.desks.record_service_use("tcm")
    kiosk.sync()
    return forms, members


def export(city, token):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.get(city.url + URL, headers=headers, timeout=10)


def rows_of(answer):
    assert answer.content.startswith(b"\xef\xbb\xbf")       # Excel opens the Chinese as Chinese
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_the_admin_gets_opened_members_with_corrections_and_without_voided_ones(city, day, caplog):
    forms, members = day
    with caplog.at_level(logging.DEBUG):
        answer = export(city, ADMIN_TOKEN)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["X-Member-Problems"] == "0" and answer.headers["Cache-Control"] == "no-store"
    rows = {r["record_id"]: r for r in rows_of(answer)}
    assert set(rows) == {members[0].record_id, members[2].record_id}
    corrected, plain = rows[members[0].record_id], rows[members[2].record_id]
    assert (corrected["name"], corrected["phone"], corrected["corrections"]) == ("王晓明", "13912345678", "1")
    assert corrected["id_number"] == forms[0].id_number and corrected["birth_date"] == \
        f"{forms[0].id_number[6:10]}-{forms[0].id_number[10:12]}-{forms[0].id_number[12:14]}"
    assert (plain["name"], plain["phone"], plain["id_number"]) == (forms[2].name, forms[2].phone, forms[2].id_number)
    assert plain["occupation"] == forms[2].occupation and plain["booth_id"] == "cy-wangjing"
    assert plain["document_kind"] == corrected["document_kind"] == "resident_id"
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert all(secret not in logged for f in forms for secret in (f.name, f.phone, f.id_number))


def test_the_export_shows_each_members_document_kind(city, kiosk):
    rng = random.Random(5)
    numbers = {"resident_id": "110105199003071239", "hmt_residence_permit": "830000199003071230",
               "foreign_permanent_residence": "931000840198001018"}
    for number in numbers.values():
        form = fake_registration(rng, kiosk.booth)
        form.id_number = number
        kiosk.booth.members.register(form)
    kiosk.sync()
    rows = {r["id_number"]: r for r in rows_of(export(city, ADMIN_TOKEN))}
    assert {kind: rows[number]["document_kind"] for kind, number in numbers.items()} == {k: k for k in numbers}
    # The foreign permanent residence ID tells no birth date or sex (booth_common/validation.py): left empty, not guessed.
    foreign = rows[numbers["foreign_permanent_residence"]]
    assert (foreign["birth_date"], foreign["sex"], foreign["age"]) == ("", "", "")
    assert rows[numbers["hmt_residence_permit"]]["birth_date"] == "1990-03-07"


@pytest.mark.parametrize("token, status", [(None, 401), ("wrong-" + "x" * 30, 403), ("", 401)])
def test_without_the_admin_token_nothing_is_exported(city, day, token, status):
    answer = export(city, token)
    assert answer.status_code == status and "admin" in answer.json()["detail"]
    assert "王晓明" not in answer.text


def test_a_device_token_cannot_export_members(city, kiosk, day):
    answer = export(city, kiosk.enrollment.device_token)
    assert answer.status_code == 403 and "王晓明" not in answer.text


def test_admin_routes_are_off_without_a_configured_token(tmp_path):
    server = LiveServer(tmp_path / "c").start()
    try:
        answer = export(server, ADMIN_TOKEN)
        upload = requests.post(server.url + "/v1/admin/bundles", data=b"x", timeout=10,
                               headers={"Authorization": f"Bearer {ADMIN_TOKEN}",
                                        "Content-Type": "application/octet-stream"})
    finally:
        server.stop()
    assert answer.status_code == upload.status_code == 403 and "no admin token" in answer.json()["detail"]


def test_a_short_admin_token_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="at least 24"):
        LiveServer(tmp_path / "c", admin_token="short").start()


def test_tampered_envelopes_are_reported_not_exported(city, kiosk, day):
    forms, members = day
    # Someone with the database swaps two envelopes: each is bound to its own record id, so neither opens.
    with city.storage.backend.writing() as db:
        a, b = (db.execute("SELECT sealed FROM records WHERE id = ?", [m.record_id]).fetchone()[0]
                for m in (members[0], members[2]))
        db.execute("UPDATE records SET sealed = ? WHERE id = ?", [b, members[0].record_id])
        db.execute("UPDATE records SET sealed = ? WHERE id = ?", [a[:-8] + "AAAAAAA=", members[2].record_id])
    answer = export(city, ADMIN_TOKEN)
    assert answer.status_code == 200 and answer.headers["X-Member-Problems"] == "2" and rows_of(answer) == []
    problems = requests.get(f"{city.url}/v1/admin/events/{EVENT}/member-problems", timeout=10,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
    assert {p["record_id"] for p in problems["problems"]} == {members[0].record_id, members[2].record_id}
    assert all("do not open" in p["reason"] for p in problems["problems"])
    assert forms[0].name not in str(problems)


def test_unknown_event_is_404_and_bad_ids_422(city, day):
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert requests.get(city.url + "/v1/admin/events/nope/members.csv", headers=auth, timeout=10).status_code == 404
    assert requests.get(city.url + "/v1/admin/events/a%20b/members.csv", headers=auth, timeout=10).status_code == 422


def test_server_cli_exports_members_to_a_file(city, day, tmp_path, capsys):
    out = tmp_path / "members.csv"
    code = server_main(["--database", str(city.settings.database), "--city-key", str(city.settings.city_key),
                        "export-members", "--event", EVENT, "--out", str(out)])
    assert code == 0 and "2 members" in capsys.readouterr().out
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))) == 2
    assert out.stat().st_mode & 0o777 == 0o600
