"""The ``kiosk enroll`` and ``kiosk sync`` commands: wiring, messages and exit codes.

Exit codes of ``kiosk sync --once`` (and of ``kiosk sync`` when it stops):

- 0  done: the server confirmed every record of this device (after reconciling with what it holds),
     nothing is pending and nothing is parked
- 1  records are still pending for another reason than the network: another sync of this ledger
     is running, or the server refused a request
- 2  bad arguments
- 3  enrolment needed or refused (no token, or the server refused it: revoked, reset)
- 4  the server is unreachable or failing (connection, timeout, 5xx, 429, a broken answer), whatever
     the local pending count: without an answer nothing is known to be on the server
- 5  every record was answered, but the server refused some: they are kept here as *needs attention*
     (see the console or ``kiosk status``), never counted

``kiosk enroll``: 0 enrolled, 2 bad server URL, 3 refused, 4 unreachable or failing (run it again:
a retry of the same code spends nothing).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from booth_common.protocol import EnrollmentRefused, SyncError, TokenRefused, TransientError

EXIT_OK, EXIT_PENDING, EXIT_USAGE, EXIT_ENROL, EXIT_NETWORK, EXIT_ATTENTION = 0, 1, 2, 3, 4, 5
# A command-line run waits at most this long between tries, whatever a server's Retry-After says.
CLI_WAIT_CAP_S = 30.0


def enroll_command(core: Any, *, server: str, code: str, ca_bundle: str | None) -> int:
    from sync.client import SyncClient
    from sync.enrollment import enroll_device

    try:
        client = SyncClient(server, verify=ca_bundle or True)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        enrollment = enroll_device(core.ledger, core.keys, client, server_url=client.base_url, code=code,
                                   booth_id=core.config.booth.id, event_id=core.config.event.id)
    except EnrollmentRefused as exc:
        return _fail(str(exc), EXIT_ENROL)
    except TransientError as exc:
        return _fail(f"enrolment failed, try again: {exc}", EXIT_NETWORK)
    except SyncError as exc:
        return _fail(str(exc), EXIT_ENROL)
    finally:
        client.close()
    # The enrolment is an audit record too: it is synced with the rest (no token, no key in it).
    core.booth.audit.record_audit("enrolment", details={"booth_id": enrollment.booth_id, "event_id": enrollment.event_id})
    print(f"enrolled: device {enrollment.device_id}, booth {enrollment.booth_id}, event {enrollment.event_id}")
    return EXIT_OK


def sync_command(core: Any, *, once: bool, attempts: int, ca_bundle: str | None) -> int:
    from sync.client import SyncClient
    from sync.engine import SyncEngine, SyncPolicy
    from sync.enrollment import finish_enrollment, server_link

    link = server_link(core.ledger)
    if link is None:
        return _fail("this device is not enrolled: run `kiosk enroll --server URL --code CODE`", EXIT_ENROL)
    finish_enrollment(core.ledger, core.keys)
    client = SyncClient(link.url, token=link.token, verify=ca_bundle or True)
    policy = SyncPolicy(backoff_cap_s=CLI_WAIT_CAP_S, retry_after_cap_s=CLI_WAIT_CAP_S)
    engine = SyncEngine(core.ledger, client, policy=policy)
    try:
        while True:
            report = engine.sync_once(attempts=attempts, event_id=link.event_id)
            _print_report(report)
            if once or isinstance(report.error, TokenRefused):
                return _exit_code(report)
            time.sleep(report.retry_in or 60.0)
    finally:
        client.close()


def _print_report(report: Any) -> None:
    print(f"synced {report.settled}, parked {report.parked}, requeued {report.requeued}; "
          f"pending {report.pending}, needs attention {report.needs_attention}")


def _exit_code(report: Any) -> int:
    error = report.error
    if isinstance(error, TokenRefused):
        return _fail(f"{error}; enrol again with `kiosk enroll`", EXIT_ENROL)
    if isinstance(error, TransientError):
        return _fail(f"not synced, {report.pending} record(s) pending here: {error}", EXIT_NETWORK)
    if error is not None or report.pending:
        return _fail(f"{report.pending} record(s) still pending: {error or 'unknown reason'}", EXIT_PENDING)
    if report.needs_attention:
        return _fail(f"{report.needs_attention} record(s) refused by the server need attention (see the console "
                     "or `kiosk status`); every other record is on the server", EXIT_ATTENTION)
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return code
