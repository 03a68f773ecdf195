"""The sync engine: drains the ledger's outbox to the city server, exactly once, oldest first.

Synchronous Python: ``sync_once`` returns when the run is over, and the Qt runner calls it from
its worker thread. Inside a run, pushes travel on up to two courier threads that only do HTTP;
the ledger is read and written by the calling thread alone. Exactly-once rests on the record ids: a record is committed locally before
any send, marked synced only after an explicit per-record answer, and a resend of a record
the server already holds is answered "duplicate". There is no "in flight" state to recover.
Errors are those of ``booth_common.protocol``.
"""

from __future__ import annotations

import json
import random
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from kiosk.ledger import Ledger
from sync.sender import holder_is_gone, new_holder
from booth_common.protocol import (PRIZE_CLAIM_KEY, SETTLED, BatchTooLarge, Distribution, PreparedPush, PushAnswer,
                                   RequestRefused, SenderBusy, SyncError, TimedOut, TransientError, WireRecord,
                                   missing_from)


class Client(Protocol):
    def send_push(self, prepared: PreparedPush) -> PushAnswer: ...
    def held(self, device_id: str) -> list[tuple[int, int]]: ...
    def fetch_distribution(self, event_id: str, name: str, *, etag: str | None = None) -> Distribution: ...


@dataclass(frozen=True)
class SyncPolicy:
    batch_size: int = 100
    max_batch: int = 1000
    backoff_base_s: float = 2.0
    backoff_cap_s: float = 300.0
    retry_after_cap_s: float = 3600.0
    slow_batch_s: float = 5.0        # a batch answered slower than this does not grow the next one
    pushes_in_flight: int = 2
    lease_ttl_s: float = 120.0


class Backoff:
    """Exponential back-off with full jitter (a random wait up to the capped bound), Retry-After honoured."""

    def __init__(self, policy: SyncPolicy, rng: random.Random):
        self.policy, self.rng, self.failures = policy, rng, 0

    def next_delay(self, retry_after: float | None = None) -> float:
        self.failures += 1
        bound = min(self.policy.backoff_cap_s, self.policy.backoff_base_s * 2 ** (self.failures - 1))
        delay = self.rng.uniform(0, bound)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.policy.retry_after_cap_s))
        return delay

    def reset(self) -> None:
        self.failures = 0


@dataclass
class SyncReport:
    """What one ``sync_once`` did and where the ledger stands afterwards."""

    settled: int = 0
    parked: int = 0
    requeued: int = 0
    pending: int = 0
    needs_attention: int = 0
    error: SyncError | None = None
    retry_in: float | None = None
    batch_seconds: list[float] = field(default_factory=list)


class SyncEngine:
    """Pushes one ledger through one client; one engine per thread (it holds that thread's ledger)."""

    def __init__(self, ledger: Ledger, client: Client, *, policy: SyncPolicy = SyncPolicy(),
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None, holder: str | None = None, backoff: Backoff | None = None,
                 wall_clock: Callable[[], float] = time.time):
        self.ledger, self.client, self.policy = ledger, client, policy
        self.sleep, self.clock, self.wall_clock = sleep, clock, wall_clock
        # A long-running app passes the same Backoff to each run's engine, so failures add up.
        self.backoff = backoff or Backoff(policy, rng or random.Random())
        self.batch_size = policy.batch_size
        self.holder = holder or new_holder()
        self._lease_held_since = float("-inf")

    # -- one run ----------------------------------------------------------------------------

    def sync_once(self, *, attempts: int = 1, event_id: str | None = None) -> SyncReport:
        """Reconcile, push everything pending, pull updates; retry transient failures ``attempts`` times."""
        report = SyncReport()
        for attempt in range(attempts):
            try:
                self._run(report, event_id=event_id)
                report.error, report.retry_in = None, None
                self.backoff.reset()
                break
            except TransientError as exc:
                report.error, report.retry_in = exc, self.backoff.next_delay(exc.retry_after)
                if attempt + 1 < attempts:
                    self.sleep(report.retry_in)
            except SyncError as exc:
                report.error, report.retry_in = exc, None
                break
        status = self.ledger.status()
        report.pending, report.needs_attention = status.pending, status.needs_attention
        return report

    def _run(self, report: SyncReport, *, event_id: str | None) -> None:
        self._hold_lease()
        try:
            report.requeued += self.reconcile()
            self.push_pending(report)
            if event_id:
                self.pull_updates(event_id)
        finally:
            self.ledger.outbox.release_sender_lease(self.holder)

    def _hold_lease(self) -> None:
        ttl, now = self.policy.lease_ttl_s, self.wall_clock()
        if not self.ledger.outbox.acquire_sender_lease(self.holder, ttl_s=ttl, now=now):
            # A sender killed mid-run (SIGKILL, a power cut) leaves its lease behind: take it over as
            # soon as its process is provably gone, rather than wait for the lease to run out.
            stale = self.ledger.outbox.sender_lease_holder()
            if stale is None or not holder_is_gone(stale) or not self.ledger.outbox.take_over_sender_lease(
                    stale, self.holder, ttl_s=ttl, now=now):
                raise SenderBusy("another sync is running for this booth; this one stands aside")
        self._lease_held_since = self.clock()

    def _renew_lease(self) -> None:
        # A renewal is a ledger write and an fsync; once a quarter of the lease has run out is
        # often enough, since no push outlasts the rest (read timeout 30 s, lease 120 s).
        if self.clock() - self._lease_held_since >= self.policy.lease_ttl_s / 4:
            self._hold_lease()

    # -- steps -------------------------------------------------------------------------------

    def reconcile(self) -> int:
        """Put back to pending every synced record the server says it does not hold (restored backup)."""
        synced = self.ledger.outbox.synced_sequence_numbers()
        if not synced:
            return 0
        held = self.client.held(self.ledger.device_id)
        return self.ledger.outbox.requeue(missing_from(synced, held))

    def push_pending(self, report: SyncReport | None = None) -> SyncReport:
        """Push batches, oldest first, until nothing is pending; raises on the first failed batch.

        Up to ``pushes_in_flight`` pushes travel at once, each from a courier thread with its own
        connection, so neither side waits for the other: the server checks one batch while it
        commits another, and the booth reads, encodes and settles batches meanwhile. Done one after
        the other, a drain took the sum of both sides' work. After a refused or partly answered
        batch the pushes in flight are answered first, then the oldest pending records go again.
        """
        report = report or SyncReport()
        flights: deque[tuple[_Batch, Future]] = deque()
        with ThreadPoolExecutor(max_workers=self.policy.pushes_in_flight, thread_name_prefix="sync-courier") as courier:
            after_seq, start_over = self._top_up(courier, flights, after_seq=0), False
            while flights:
                batch, flight = flights.popleft()
                answer = self._await(batch, flight, report)
                start_over = start_over or answer is None or len(answer.answers) < len(batch.records)
                if not start_over:
                    after_seq = self._top_up(courier, flights, after_seq=after_seq)
                if answer is not None:
                    self._settle(answer, report)
                if start_over and not flights:
                    after_seq, start_over = self._top_up(courier, flights, after_seq=0), False
        return report

    def _top_up(self, courier: ThreadPoolExecutor, flights: deque[tuple[_Batch, Future]], *, after_seq: int) -> int:
        """Launch batches of the records pending after ``after_seq`` until enough are in flight."""
        while len(flights) < self.policy.pushes_in_flight:
            batch = self._next_batch(after_seq=after_seq)
            if batch is None:
                break
            self._renew_lease()
            flights.append((batch, courier.submit(self._timed_push, batch.prepared)))
            after_seq = batch.last_seq
        return after_seq

    def _next_batch(self, *, after_seq: int) -> _Batch | None:
        records = [WireRecord._make(row) for row in self.ledger.outbox.pending_for_push(limit=self.batch_size,
                                                                               after_seq=after_seq)]
        if not records:
            return None
        return _Batch(records, PreparedPush.of(self.ledger.device_id, records), full=len(records) == self.batch_size)

    def _timed_push(self, prepared: PreparedPush) -> tuple[PushAnswer, float]:
        started = self.clock()
        answer = self.client.send_push(prepared)
        return answer, self.clock() - started

    def _await(self, batch: _Batch, flight: Future, report: SyncReport) -> PushAnswer | None:
        """The batch's answer; None when the server refused it whole and the batch was narrowed."""
        try:
            answer, elapsed = flight.result()
        except (BatchTooLarge, RequestRefused) as exc:
            self._narrow_down(batch.records, exc, report)
            return None
        except TransientError as exc:
            self.ledger.outbox.note_failed_attempt(batch.prepared.ids, str(exc))
            if isinstance(exc, TimedOut):
                self.batch_size = max(1, self.batch_size // 2)
            raise
        report.batch_seconds.append(elapsed)
        self._adapt(batch, len(answer.answers), elapsed)
        return answer

    def _narrow_down(self, records: list[WireRecord], exc: SyncError, report: SyncReport) -> None:
        """Halve the batch to isolate what the server refuses; park a single refused record."""
        if len(records) > 1:
            self.batch_size = max(1, len(records) // 2)
            return
        reason = exc.reason if isinstance(exc, RequestRefused) else str(exc)
        self.ledger.outbox.mark_needs_attention([(records[0].id, f"refused by the server: {reason}")])
        report.parked += 1

    def _settle(self, answer: PushAnswer, report: SyncReport) -> None:
        settled = [a.id for a in answer.answers if a.status in SETTLED]
        parked = [(a.id, f"{a.status}: {a.reason}") for a in answer.answers if a.status not in SETTLED]
        if settled:
            self.ledger.outbox.mark_synced(settled)
        if parked:
            self.ledger.outbox.mark_needs_attention(parked)
        report.settled += len(settled)
        report.parked += len(parked)

    def _adapt(self, batch: _Batch, answered: int, elapsed: float) -> None:
        if answered < len(batch.records):
            self.batch_size = max(1, answered)  # the server answered what it could; send that many
        elif elapsed < self.policy.slow_batch_s and batch.full:
            # Each fast answer to a full batch doubles the next, even with a second batch in flight.
            self.batch_size = min(self.policy.max_batch, self.batch_size * 2)

    def pull_updates(self, event_id: str) -> list[str]:
        """Fetch newer config and quiz-bank versions, and the event's prize-claim key, into the ledger's meta;
        returns the names updated."""
        updated = []
        for name in ("config", "quiz-bank", PRIZE_CLAIM_KEY):
            try:
                got = self.client.fetch_distribution(event_id, name, etag=self.ledger.get_meta(f"pulled:{name}:etag"))
            except RequestRefused as exc:
                if exc.status == 404:  # nothing published yet for this event
                    continue
                raise
            if got.content is not None:
                self._store_distribution(got)
                updated.append(name)
        return updated

    def _store_distribution(self, got: Distribution) -> None:
        self.ledger.set_meta(f"pulled:{got.name}", json.dumps(got.content, ensure_ascii=False, sort_keys=True))
        self.ledger.set_meta(f"pulled:{got.name}:version", str(got.version))
        self.ledger.set_meta(f"pulled:{got.name}:etag", got.etag)


@dataclass(frozen=True)
class _Batch:
    records: list[WireRecord]
    prepared: PreparedPush
    full: bool  # as many records as the batch size allowed: the ledger had more

    @property
    def last_seq(self) -> int:
        return self.records[-1].seq

