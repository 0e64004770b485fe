"""Coin wallet plumbing around the ledger in Aurora: the transactions queue, the settlement
schedule and the wallet service's role."""

from .args import WalletArgs
from .component import Wallet

__all__ = ["Wallet", "WalletArgs"]
