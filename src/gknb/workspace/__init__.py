"""The review workspace on top of the store: accounts, listing, corrections, reviews, and the reviewer's
workflow (``assign``: assignments, my queue, bulk review, 上一份/下一份, failed reads)."""
