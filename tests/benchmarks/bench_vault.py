"""What one guess of the volunteer PIN costs: unwrapping the vault at its real scrypt cost (128 MiB).

A thief with a copied data folder pays this per guess; exhausting a 6-digit PIN is 10⁶ of them.
"""

from __future__ import annotations

import pytest

from kiosk.vault import REAL_COST, Vault


@pytest.fixture
def vault(tmp_path):
    made = Vault(tmp_path)
    made.create("482915", cost=REAL_COST)
    return Vault(tmp_path)


def test_one_pin_guess_against_the_vault(benchmark, vault):
    result = benchmark.pedantic(vault.unlock, args=("000000",), rounds=5, iterations=1)
    assert result is False
    per_guess = benchmark.stats.stats.median
    print(f"\nPIN guess (scrypt N=2^17 r=8 p=1, 128 MiB): median {per_guess:.2f} s; a 6-digit PIN exhausted in "
          f"{per_guess * 1e6 / 86400:.1f} core-days, 8 digits in {per_guess * 1e8 / 86400 / 365:.0f} core-years")
