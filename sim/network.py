"""The social network: communities with a few long ties, built in O(edges) with numpy.

Each person picks ``within`` contacts inside their community and ``between`` anywhere; ties are
made symmetric and stored as CSR arrays (``indptr``, ``indices``). Repeated ties are kept as
stronger ties rather than removed, which keeps generation linear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Network:
    indptr: np.ndarray   # int64, size n+1
    indices: np.ndarray  # int32 neighbour ids
    community: np.ndarray  # int32 community of each person

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbours_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Concatenated neighbour lists of ``ids`` and, for each entry, its position in ``ids``."""
        starts, stops = self.indptr[ids], self.indptr[ids + 1]
        counts = stops - starts
        owner = np.repeat(np.arange(len(ids)), counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return self.indices[np.repeat(starts, counts) + offsets], owner


def community_network(n: int, *, community_size: int, within: int, between: int,
                      rng: np.random.Generator) -> Network:
    """Communities of consecutive ids; ``within`` ties inside and ``between`` ties outside each."""
    community = (np.arange(n) // community_size).astype(np.int32)
    start = community.astype(np.int64) * community_size
    size = np.minimum(start + community_size, n) - start
    src_parts, dst_parts = [], []
    if within and n > 1:
        me = np.repeat(np.arange(n, dtype=np.int64), within)
        csize = np.repeat(size, within)
        ok = csize > 1
        me, csize = me[ok], csize[ok]
        # A uniform other member: offset 1..size-1 from me, wrapped inside the community.
        offset = 1 + (rng.random(len(me)) * (csize - 1)).astype(np.int64)
        first = np.repeat(start, within)[ok]
        other = first + (me - first + offset) % csize
        src_parts.append(me)
        dst_parts.append(other)
    if between and n > 1:
        me = np.repeat(np.arange(n, dtype=np.int64), between)
        other = (me + 1 + (rng.random(len(me)) * (n - 1)).astype(np.int64)) % n
        src_parts.append(me)
        dst_parts.append(other)
    if not src_parts:
        return Network(np.zeros(n + 1, np.int64), np.zeros(0, np.int32), community)
    src = np.concatenate(src_parts + dst_parts)
    dst = np.concatenate(dst_parts + src_parts)
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Network(indptr, dst[order].astype(np.int32), community)
