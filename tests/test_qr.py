"""QR matrices, and the join code kept between starts: reused for the same link, made anew for another."""

from __future__ import annotations

import pytest

import kiosk.qr
from kiosk.qr import cached_qr_matrix, join_url_with_booth, qr_matrix

LINK = "https://join.example.cn/m?src=kiosk&event=demo&booth=b1"
OTHER = "https://join.example.cn/m?src=kiosk&event=demo&booth=b2"


def test_join_link_keeps_its_query_and_adds_event_and_booth():
    assert join_url_with_booth("https://j.example.cn/m?src=kiosk", event_id="e 1", booth_id="b1") == \
        "https://j.example.cn/m?src=kiosk&event=e+1&booth=b1"


def test_a_restart_with_the_same_link_reads_the_code_back_without_making_it(tmp_path, monkeypatch):
    cache = tmp_path / "join-qr.txt"
    made = cached_qr_matrix(LINK, cache_file=cache)
    assert made == qr_matrix(LINK)
    monkeypatch.setattr(kiosk.qr, "qr_matrix", lambda text: pytest.fail("made again"))
    assert cached_qr_matrix(LINK, cache_file=cache) == made


def test_another_link_is_never_served_from_the_cache(tmp_path):
    cache = tmp_path / "join-qr.txt"
    cached_qr_matrix(LINK, cache_file=cache)
    other = cached_qr_matrix(OTHER, cache_file=cache)
    assert other == qr_matrix(OTHER) != qr_matrix(LINK)
    assert cache.read_text(encoding="utf-8").split("\n")[1] == OTHER  # the cache follows the link


@pytest.mark.parametrize("content", ["", "{not lines}", "error-correction M, border 2", f"error-correction M, border 2\n{LINK}",
                                     f"error-correction M, border 2\n{LINK}\n0101\n01",
                                     f"error-correction M, border 2\n{LINK}\n01\n0x",
                                     f"error-correction H\n{LINK}\n1",
                                     f'{{"settings": "error-correction M, border 2", "text": "{LINK}", "rows": ["1"]}}'])
def test_a_damaged_or_foreign_cache_file_is_replaced_by_a_made_code(tmp_path, content):
    cache = tmp_path / "join-qr.txt"
    cache.write_text(content, encoding="utf-8")
    assert cached_qr_matrix(LINK, cache_file=cache) == qr_matrix(LINK)
    assert cache.read_text(encoding="utf-8").split("\n")[1] == LINK


def test_a_text_of_several_lines_is_made_every_time_never_kept(tmp_path):
    cache = tmp_path / "join-qr.txt"
    assert cached_qr_matrix(LINK + "\nx", cache_file=cache) == qr_matrix(LINK + "\nx")
    assert not cache.exists()


def test_a_cache_that_cannot_be_written_still_gives_the_code(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    assert cached_qr_matrix(LINK, cache_file=blocked / "join-qr.txt") == qr_matrix(LINK)
