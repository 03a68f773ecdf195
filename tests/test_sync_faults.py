"""Every record reaches the real city server exactly once, whatever the network does in between.

Each test runs the kiosk's engine against uvicorn on 127.0.0.1, mostly through a loopback proxy
that breaks the exchange, and ends with the same check: one copy of every record on the server
with matching hashes, nothing pending, only the records the server refused parked.
"""

import datetime as dt
import gzip
import json
import threading

import pytest

from booth_common.records import sha256_hex
from kiosk.ledger import SealedField
from kiosk.simulate import simulate
from loopback import (FAST, SleepRecorder, assert_exactly_once, booth_code, canned, city, cut_after_commit,  # noqa: F401
                      cut_mid_body, delay_after_commit, enrolled_engine, proxy, rewrite_body)
from sync.client import SyncClient
from sync.engine import SyncEngine
from sync.enrollment import enroll_device
from booth_common.protocol import (BadAnswer, EnrollmentRefused, RecordStatus, SenderBusy, ServerBusy, TimedOut,
                                   TokenRefused, Unreachable, WireRecord, results_digest)


# Network faults between a real kiosk and the server, through a proxy: on SQLite only (one_backend,
# tests/conftest.py) but for the tests where the server's storage decides (both_backends).
pytestmark = pytest.mark.one_backend


def capture(core, n=30, seed=5):
    members = n // 3
    simulate(core.booth, members=members, services=n - members - n // 6, quiz=n // 6, handouts=0, seed=seed)
    return core.ledger.status().pending


@pytest.mark.both_backends
def test_answer_lost_after_the_server_committed(core, city, proxy):
    total = capture(core)
    engine = enrolled_engine(core, city, url=proxy.url)
    proxy.plan = [cut_after_commit]
    report = engine.sync_once(attempts=3)
    assert proxy.log[0].upstream_status == 200          # the server did commit the first batch
    assert report.error is None
    assert report.settled == total
    assert_exactly_once(city, core.ledger)


def test_read_timeout_after_commit_then_retry(core, city, proxy):
    capture(core)
    engine = enrolled_engine(core, city, url=proxy.url, read_timeout=0.3)
    proxy.plan = [delay_after_commit(1.0)]
    first = engine.sync_once(attempts=1)
    assert isinstance(first.error, TimedOut)
    assert first.pending == core.ledger.status().total_records   # nothing marked without an answer
    assert engine.sync_once(attempts=1).error is None
    assert_exactly_once(city, core.ledger)


def test_unreachable_server_is_a_clear_transient_error(core, city):
    capture(core, n=6)
    engine = enrolled_engine(core, city)
    engine.client.base_url = "http://127.0.0.1:9"  # discard port: nothing listens there
    report = engine.sync_once(attempts=2)
    assert isinstance(report.error, Unreachable) and "cannot reach" in str(report.error)
    assert report.pending == 6 and report.retry_in is not None


def test_storm_of_errors_with_retry_after_is_ridden_out(core, city, proxy):
    capture(core)
    sleep = SleepRecorder()
    engine = enrolled_engine(core, city, url=proxy.url, sleep=sleep)
    proxy.plan = [canned(500, b'{"detail":"boom"}'), canned(502, b"bad gateway", content_type="text/plain"),
                  canned(503, b"", headers={"Retry-After": "2"}), canned(429, b"{}", headers={"Retry-After": "3"}),
                  canned(500, b"", forward_first=True)]
    report = engine.sync_once(attempts=8)
    assert report.error is None
    assert len(sleep.waits) == 5
    assert sleep.waits[2] >= 2.0 and sleep.waits[3] >= 3.0           # Retry-After honoured
    assert all(0 <= w <= FAST.backoff_cap_s for i, w in enumerate(sleep.waits) if i not in (2, 3))  # capped jitter
    assert_exactly_once(city, core.ledger)


def test_a_408_from_the_server_is_a_timeout_retried_not_a_record_parked(core, city, proxy):
    capture(core, n=1)
    engine = enrolled_engine(core, city, url=proxy.url)
    proxy.plan = [canned(408, b'{"detail":"the request body stalled for more than 30 s"}')]
    report = engine.sync_once(attempts=2)
    assert report.error is None and report.parked == 0
    assert_exactly_once(city, core.ledger)


def _tamper_one_envelope(core):
    registration = next(r for r in core.ledger.records() if r.kind == "registration")
    envelope = core.ledger.sealed_envelope(registration.id)
    flipped = envelope[:-8] + ("A" if envelope[-8] != "A" else "B") + envelope[-7:]
    core.ledger.replace_sealed([(registration.id, flipped)], key_id="tampered")
    return registration.id


@pytest.mark.both_backends
def test_partial_acceptance_parks_the_refused_record_and_never_resends_it(core, city):
    capture(core)
    engine = enrolled_engine(core, city)
    bad = _tamper_one_envelope(core)
    report = engine.sync_once()
    assert report.error is None and report.parked == 1
    [(record, reason)] = core.ledger.outbox.needing_attention()
    assert record.id == bad and "rejected: sealed personal fields refused" in reason
    pushes_before = city.storage.count_records()
    assert engine.sync_once().settled == 0                      # parked: not retried in a loop
    assert city.storage.count_records() == pushes_before
    assert_exactly_once(city, core.ledger, parked={bad})


def _answer_first_half(body: bytes) -> bytes:
    answer = json.loads(body)
    answer["results"] = answer["results"][: len(answer["results"]) // 2]
    answer["digest"] = results_digest(answer["results"])
    return json.dumps(answer).encode()


def test_an_answer_for_part_of_a_batch_settles_that_part_and_resends_the_rest(core, city, proxy):
    total = capture(core)
    engine = enrolled_engine(core, city, url=proxy.url)
    proxy.plan = [rewrite_body(_answer_first_half)]
    report = engine.sync_once()
    assert report.error is None and report.settled == total
    assert engine.batch_size < FAST.batch_size or total <= FAST.batch_size  # it learnt to send less
    assert_exactly_once(city, core.ledger)


def _forge(record, device_id):
    payload = json.loads(record.payload)
    payload["data"] = {"forged": True}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return WireRecord(record.id, device_id, record.seq, text, sha256_hex(text), None)


@pytest.mark.both_backends
def test_same_id_with_another_payload_is_a_conflict_parked_for_attention(core, city):
    capture(core, n=9)
    engine = enrolled_engine(core, city)
    victim = next(r for r in core.ledger.records() if r.kind != "registration")
    [answer] = engine.client.push(core.ledger.device_id, [_forge(victim, core.ledger.device_id)]).answers
    assert answer.status is RecordStatus.ACCEPTED                 # the forged copy got there first
    report = engine.sync_once()
    assert report.parked == 1
    [(record, reason)] = core.ledger.outbox.needing_attention()
    assert record.id == victim.id and reason.startswith("conflict")
    assert_exactly_once(city, core.ledger, parked={victim.id})


@pytest.mark.both_backends
def test_five_identical_pushes_in_parallel_store_each_record_once(core, city):
    total = capture(core, n=60)
    engine = enrolled_engine(core, city)
    records = [WireRecord(e.record.id, e.record.device_id, e.record.seq, e.record.payload, e.record.payload_sha256,
                          e.sealed) for e in core.ledger.outbox.pending(limit=1000)]
    start, answers = threading.Barrier(5), []

    def push():
        client = SyncClient(city.url, token=engine.client.token)
        start.wait()
        answers.append(client.push(core.ledger.device_id, records))

    threads = [threading.Thread(target=push) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [a.status for answer in answers for a in answer.answers]
    assert statuses.count(RecordStatus.ACCEPTED) == total
    assert statuses.count(RecordStatus.DUPLICATE) == 4 * total
    assert city.storage.count_records() == total
    assert engine.sync_once().error is None
    assert_exactly_once(city, core.ledger)


def _flip_status(body: bytes) -> bytes:
    return body.replace(b'"accepted"', b'"duplicate"', 1)


def _flip_byte(body: bytes) -> bytes:
    middle = len(body) // 2
    return body[:middle] + bytes([body[middle] ^ 0x20]) + body[middle + 1:]


def _other_protocol(body: bytes) -> bytes:
    return body.replace(b'"protocol":1', b'"protocol":2', 1)


BAD_ANSWERS = {
    "captive-portal-html-200": canned(200, "<html><body>请登录 Wi-Fi / log in</body></html>".encode(),
                                      content_type="text/html; charset=utf-8"),
    "captive-portal-json-200": canned(200, b'{"portal":"login"}'),
    "redirect-to-portal": canned(302, b"", headers={"Location": "http://portal.example.invalid/login"}),
    "empty-body": rewrite_body(lambda body: b""),
    "truncated-body": rewrite_body(lambda body: body[: len(body) // 2]),
    "connection-drops-mid-body": cut_mid_body,
    "garbled-status": rewrite_body(_flip_status),
    "garbled-byte": rewrite_body(_flip_byte),
    "other-protocol-version": rewrite_body(_other_protocol),
    "gzip-garbage": canned(200, gzip.compress(b"{}")[:-4], headers={"Content-Encoding": "gzip"}),
}


@pytest.mark.parametrize("fault", list(BAD_ANSWERS.values()), ids=list(BAD_ANSWERS))
def test_a_malformed_answer_counts_as_failure_never_as_success(core, city, proxy, fault):
    total = capture(core, n=12)
    engine = enrolled_engine(core, city, url=proxy.url)
    proxy.plan = [fault]
    first = engine.sync_once(attempts=1)
    assert isinstance(first.error, (BadAnswer, Unreachable)), first.error
    assert first.settled == 0 and core.ledger.status().pending == total
    assert engine.sync_once(attempts=1).error is None
    assert_exactly_once(city, core.ledger)


@pytest.mark.both_backends
def test_server_restored_from_an_older_backup_receives_the_missing_records_again(core, city, tmp_path):
    capture(core, n=12, seed=1)
    engine = enrolled_engine(core, city)
    assert engine.sync_once().error is None
    backup = tmp_path / "backup.sqlite3"
    city.storage.backup_to(backup)
    capture(core, n=12, seed=2)
    assert engine.sync_once().error is None
    later = core.ledger.status().total_records - 12
    city.restore(backup)
    assert city.storage.count_records() == 12
    report = engine.sync_once()
    assert report.requeued == later and report.settled == later
    assert_exactly_once(city, core.ledger)


@pytest.mark.parametrize("skew", [dt.timedelta(days=5 * 365), -dt.timedelta(days=20 * 365)])
def test_a_skewed_device_clock_never_blocks_sync(core, city, monkeypatch, skew):
    import kiosk.ledger
    from booth_common.records import format_utc

    # The ledger stamps captures with its class clock (kiosk.ledger.Ledger.clock): skew that one.
    monkeypatch.setattr(kiosk.ledger.Ledger, "clock",
                        staticmethod(lambda: format_utc(dt.datetime.now(dt.timezone.utc) + skew)))
    capture(core, n=9)
    engine = enrolled_engine(core, city)
    assert engine.sync_once().error is None
    assert_exactly_once(city, core.ledger)
    server_now = dt.datetime.now(dt.timezone.utc)
    for row in city.storage.record_rows(device_id=core.ledger.device_id):
        received = dt.datetime.fromisoformat(row["received_at"].replace("Z", "+00:00"))
        assert abs(received - server_now) < dt.timedelta(minutes=5)       # the server's own time
        assert abs(dt.datetime.fromisoformat(row["captured_at"].replace("Z", "+00:00")) - server_now) > dt.timedelta(days=300)


def test_revoked_token_stops_sync_until_the_device_enrols_again(core, city):
    capture(core, n=6, seed=1)
    engine = enrolled_engine(core, city)
    assert engine.sync_once().error is None
    assert city.storage.revoke(device_id=core.ledger.device_id, at="2026-11-25T00:00:00.000Z") == 1
    capture(core, n=6, seed=2)
    report = engine.sync_once(attempts=3)
    assert isinstance(report.error, TokenRefused) and report.retry_in is None   # no retry loop on a refusal
    assert report.pending == 6
    with pytest.raises(EnrollmentRefused, match="revoked"):      # a fresh code alone does not un-revoke it
        enroll_device(core.ledger, core.keys, SyncClient(city.url), server_url=city.url, code=booth_code(city, core))
    assert city.storage.reset_device(core.ledger.device_id)      # an admin's decision
    again = enroll_device(core.ledger, core.keys, SyncClient(city.url), server_url=city.url,
                          code=booth_code(city, core))
    engine.client.token = again.device_token
    assert engine.sync_once().error is None
    assert_exactly_once(city, core.ledger)


def test_only_one_sender_at_a_time(core, city):
    capture(core, n=6)
    engine = enrolled_engine(core, city)
    assert core.ledger.outbox.acquire_sender_lease("other-process", ttl_s=60, now=1000.0)
    import time
    now = time.time()
    assert core.ledger.outbox.acquire_sender_lease("other-process", ttl_s=60, now=now)
    report = engine.sync_once()
    assert isinstance(report.error, SenderBusy) and report.pending == 6
    core.ledger.outbox.acquire_sender_lease("other-process", ttl_s=-1, now=now)   # its lease runs out
    assert engine.sync_once().error is None
    assert_exactly_once(city, core.ledger)


def test_enrolment_reseals_personal_fields_to_the_city_key_and_destroys_the_device_key(core, city):
    from booth_common.sealing import open_sealed

    capture(core, n=9)
    assert core.keys.device_private_key() is not None
    enrolled_engine(core, city)
    assert core.keys.device_private_key() is None and core.keys.is_enrolled()
    envelopes = core.ledger.sealed_envelopes()
    assert envelopes
    opened = [open_sealed(envelope, city.city_key, record_id=record_id) for record_id, envelope in envelopes]
    assert sum("id_number" in fields for fields in opened) == core.ledger.status().counts["registration"]


def test_server_busy_error_carries_retry_after(core, city, proxy):
    capture(core, n=3)
    engine = enrolled_engine(core, city, url=proxy.url)
    proxy.plan = [canned(503, b"", headers={"Retry-After": "Wed, 25 Nov 2026 10:00:30 GMT",
                                            "Date": "Wed, 25 Nov 2026 10:00:00 GMT"})]
    report = engine.sync_once(attempts=1)
    assert isinstance(report.error, ServerBusy) and report.error.retry_after == 30.0
    assert report.retry_in == min(30.0, FAST.retry_after_cap_s)   # honoured, within the policy's cap


@pytest.mark.both_backends
def test_a_sync_killed_mid_push_loses_nothing_and_duplicates_nothing(core, city, proxy, data_dir):
    import signal
    import subprocess
    import sys
    import time

    capture(core, n=30)
    engine = enrolled_engine(core, city)
    core.ledger.set_meta("sync_server_url", proxy.url)        # the kiosk talks through the proxy
    engine.client.close()
    proxy.plan = [delay_after_commit(30.0)]                    # the server commits; the answer never comes
    sync = subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "--once", "--data-dir", str(data_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (proxy.log and proxy.log[0].upstream_status == 200):
        assert time.monotonic() < deadline and sync.poll() is None
        time.sleep(0.02)
    sync.send_signal(signal.SIGKILL)
    sync.wait()
    assert city.storage.count_records() > 0 and core.ledger.status().pending == 30   # committed there, pending here
    assert core.ledger.outbox.sender_lease_holder() is not None       # its lease is left behind, unexpired
    client = SyncClient(city.url, token=core.ledger.get_protected_meta("sync_token"))
    assert SyncEngine(core.ledger, client, policy=FAST).sync_once().error is None  # taken over: its process is gone
    assert_exactly_once(city, core.ledger)


def test_one_record_the_server_cannot_take_is_isolated_and_parked_the_others_go_through(core, city):
    from booth_common.records import new_record_id

    capture(core, n=12, seed=1)
    huge = core.ledger.append(record_id=new_record_id(), kind="service_use", event_id=core.config.event.id,
                              booth_id=core.config.booth.id, data={"note": "x" * 1_100_000})
    capture(core, n=12, seed=2)
    engine = enrolled_engine(core, city)
    report = engine.sync_once()
    assert report.error is None and report.parked == 1
    [(record, reason)] = core.ledger.outbox.needing_attention()
    assert record.id == huge.id and "refused by the server" in reason and "payload" in reason
    assert_exactly_once(city, core.ledger, parked={huge.id})


def test_a_clock_set_back_does_not_leave_a_dead_senders_lease_blocking_sync(core, city):
    import time

    capture(core, n=3)
    engine = enrolled_engine(core, city)
    hours_ahead = time.time() + 5 * 3600
    assert core.ledger.outbox.acquire_sender_lease("killed-before-the-clock-was-corrected", ttl_s=120, now=hours_ahead)
    assert engine.sync_once().error is None
    assert_exactly_once(city, core.ledger)
