"""The identity of a post's words, and finding the reports a batch of posts copies.

The same text posted again (copy and paste, "RT @name: ...") has the same digest. A report keeps
its digest in `reports.digest`; while posts are imported, the digests of the incident's reports
are held in memory as sorted 64-bit keys. A B-tree index on the column cost a million-post
import more than everything else together: random keys dirty a page of the index for nearly
every post, and each commit wrote them all again.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable

import numpy as np

_MIN_TEXT = 12  # shorter texts ("拡散希望") are not taken for copies of each other
_URL = re.compile(r"https?://\S+")
_RT_PREFIX = re.compile(r"^rt@[\w.]+:")
_MERGE_AT = 100_000  # digests added one by one, before they join the sorted arrays


def digest_of_folded(folded: str) -> str | None:
    """The digest of a text folded by classify.fold(); URLs, spaces and an "RT @name:" prefix
    do not count. None for a text too short to tell copies from coincidences."""
    plain = _RT_PREFIX.sub("", "".join(_URL.sub("", folded).split()))
    if len(plain) < _MIN_TEXT:
        return None
    return hashlib.blake2b(plain.encode(), digest_size=10).hexdigest()


def _key(digest: str) -> int:
    return int(digest[:16], 16)


class DigestIndex:
    """Digest -> row key (`rid`) of the incident's reports, for the length of an import.
    A key found here is a candidate: the caller checks the stored digest, so a report deleted
    or rolled back meanwhile is never taken for an original."""

    def __init__(self, conn: sqlite3.Connection):
        cursor = conn.execute(
            "SELECT digest, rid FROM reports WHERE digest IS NOT NULL AND deleted = 0 ORDER BY rid"
        )
        keys, rids = [np.empty(0, np.uint64)], [np.empty(0, np.int64)]
        while rows := cursor.fetchmany(100_000):  # streamed: a large incident stays small
            keys.append(np.array([_key(d) for d, _ in rows], np.uint64))
            rids.append(np.array([r for _, r in rows], np.int64))
        self._keys, self._rids = np.concatenate(keys), np.concatenate(rids)
        self._recent: dict[int, int] = {}
        self._sort()

    def find(self, digests: Iterable[str]) -> dict[str, int]:
        """The row key of a report with each digest that has one."""
        digests = list(digests)
        keys = np.array([_key(d) for d in digests], np.uint64)
        found: dict[str, int] = {}
        if len(self._keys):
            at = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
            for digest, hit, rid in zip(
                digests, self._keys[at] == keys, self._rids[at].tolist(), strict=True
            ):
                if hit:
                    found[digest] = rid
        for digest, key in zip(digests, keys.tolist(), strict=True):
            if digest not in found and key in self._recent:
                found[digest] = self._recent[key]
        return found

    def add(self, digest: str, rid: int) -> None:
        self._recent.setdefault(_key(digest), rid)
        if len(self._recent) >= _MERGE_AT:
            self._keys = np.concatenate([self._keys, np.fromiter(self._recent, np.uint64)])
            self._rids = np.concatenate([self._rids, np.fromiter(self._recent.values(), np.int64)])
            self._recent = {}
            self._sort()

    def _sort(self) -> None:
        order = np.argsort(self._keys, kind="stable")  # the oldest report of a digest first
        self._keys, self._rids = self._keys[order], self._rids[order]
