import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.membership import RegistrationForm
from booth_common.sealing import (ENVELOPE_PREFIX, INFO_PREFIX, LEGACY_PREFIX, SESSION_BYTES, SUITE, KeyRing, Opener, SealError,
                           Sealer, open_sealed, seal)
from booth_common.validation import id_check_char

PEOPLE = [
    ("王小明", "13812345678", "11010519900307123"),
    ("买买提·艾力", "15987654321", "11010819850101456"),
    ("李娜", "18600001111", "11010219991231789"),
]


def _people():
    for name, phone, body in PEOPLE:
        yield name, phone, body + id_check_char(body)


def _forms(phone_style=lambda p: p):
    for name, phone, id_number in _people():
        yield RegistrationForm(name=name, phone=phone_style(phone), id_number=id_number.lower(),
                               occupation="courier", consent_given=True)


def _encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be"), text.encode("gb18030")]


def _raw_files(data_dir):
    files = [p for p in data_dir.iterdir() if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files), "the WAL should be there while the ledger is open"
    return files


def test_no_personal_field_is_stored_in_clear_in_the_file_or_its_wal(core, data_dir):
    for form in _forms(lambda p: f"+86 {p[:3]} {p[3:7]} {p[7:]}"):
        core.booth.members.register(form)
    core.booth.desks.record_consultation("rights", note="工友王小明说老板拖欠工资13812345678")
    needles = []
    for name, phone, id_number in _people():
        for value in (name, phone, id_number, id_number[6:14]):  # the birth date alone too
            needles += _encodings(value)
    for path in _raw_files(data_dir):
        raw = path.read_bytes()
        for needle in needles:
            assert needle not in raw, f"{needle!r} found in {path.name}"
    core.ledger.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = (data_dir / "ledger.sqlite3").read_bytes()
    assert not any(n in raw for n in needles)
    assert "王*明".encode() in raw and b"*******5678" in raw  # the masked forms are kept for display


def test_sealed_fields_open_with_the_device_private_key_only(core):
    member = core.booth.members.register(next(_forms()))
    envelope = core.ledger.sealed_envelope(member.record_id)
    private = core.keys.device_private_key()
    opened = open_sealed(envelope, private, record_id=member.record_id)
    assert opened["name"] == "王小明" and opened["phone"] == "13812345678"
    assert opened["id_number"].endswith(opened["id_number"][-1].upper())
    with pytest.raises(SealError):
        open_sealed(envelope, private, record_id="another-record")
    tampered = envelope[:-6] + ("A" if envelope[-6] != "A" else "B") + envelope[-5:]
    with pytest.raises(SealError):
        open_sealed(tampered, private, record_id=member.record_id)


def test_key_files_are_private_and_kept_across_starts(tmp_path):
    ring = KeyRing(tmp_path / "keys")
    ring.ensure()
    first = ring.seal_public_text()
    ring.ensure()
    assert ring.seal_public_text() == first
    assert (tmp_path / "keys" / "device-seal.key").stat().st_mode & 0o077 == 0
    assert not (tmp_path / "keys" / "hmac.key").exists()  # lookup keys live wrapped in the vault
    envelope = seal({"a": "b"}, ring.seal_public_key(), record_id="r")
    assert open_sealed(envelope, ring.device_private_key(), record_id="r") == {"a": "b"}
    ring.destroy_device_private_key()
    assert ring.device_private_key() is None and ring.is_enrolled()


def test_a_session_seals_many_envelopes_each_bound_to_its_record():
    private = X25519PrivateKey.generate()
    sealer, opener = Sealer(private.public_key(), rotate_after=3), Opener(private)
    envelopes = [sealer.seal({"phone": f"1380013800{n}"}, record_id=f"r{n}") for n in range(7)]
    assert [opener.open(e, record_id=f"r{n}") for n, e in enumerate(envelopes)] == \
        [{"phone": f"1380013800{n}"} for n in range(7)]
    headers = {base64.b64decode(e.removeprefix("hpke2:"))[:SESSION_BYTES] for e in envelopes}
    assert len(headers) == 3  # 7 envelopes in sessions of at most 3: one X25519 operation per session
    with pytest.raises(SealError):
        opener.open(envelopes[1], record_id="r2")  # moved onto another record of the same session
    with pytest.raises(SealError):
        Opener(X25519PrivateKey.generate()).open(envelopes[0], record_id="r0")  # another key


def test_a_tampered_session_header_or_body_does_not_open():
    private = X25519PrivateKey.generate()
    envelope = Sealer(private.public_key()).seal({"name": "王小明"}, record_id="r")
    blob = bytearray(base64.b64decode(envelope[len(ENVELOPE_PREFIX):]))
    for position in (5, 40, 70, 85, len(blob) - 1):  # key, sealed session key, its tag, nonce, body tag
        tampered = bytearray(blob)
        tampered[position] ^= 1
        with pytest.raises(SealError):
            Opener(private).open(ENVELOPE_PREFIX + base64.b64encode(bytes(tampered)).decode(), record_id="r")
    with pytest.raises(SealError):
        Opener(private).open(ENVELOPE_PREFIX + base64.b64encode(bytes(blob[:90])).decode(), record_id="r")


def test_envelopes_of_the_first_format_still_open():
    private = X25519PrivateKey.generate()
    blob = SUITE.encrypt('{"name": "李娜"}'.encode(), private.public_key(), info=INFO_PREFIX + b"r1")
    legacy = LEGACY_PREFIX + base64.b64encode(blob).decode()
    assert Opener(private).open(legacy, record_id="r1") == {"name": "李娜"}
    with pytest.raises(SealError):
        Opener(private).open(legacy, record_id="r2")
