"""The social network: communities with a few long ties, built in O(edges) with numpy.

Each person picks ``within`` contacts inside their community and ``between`` anywhere; ties are
made symmetric and stored as CSR arrays (``indptr``, ``indices``). Repeated ties are kept as
stronger ties rather than removed, which keeps generation linear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Person ids are stored as int32: market.size is at most 50,000,000 < 2**31.
ID_LIMIT = 2**31 - 1


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
        starts = self.indptr[ids]
        counts = self.indptr[ids + 1] - starts
        owner = np.repeat(np.arange(len(ids)), counts)
        # Entry k of the output is entry (k - first output slot of its owner) of the owner's list.
        shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        return self.indices[shift + np.arange(len(shift))], owner


def community_network(n: int, *, community_size: int, within: int, between: int,
                      rng: np.random.Generator) -> Network:
    """Communities of consecutive ids; ``within`` ties inside and ``between`` ties outside each.

    Person i's list holds, in this order: the contacts i picked inside the community, those i
    picked anywhere, then those who picked i inside and anywhere, each group by picker id.
    """
    if n > ID_LIMIT:
        raise ValueError(f"a network of {n:,} persons exceeds the int32 id range")
    community = (np.arange(n) // community_size).astype(np.int32)
    # (picker, picked) pairs, pickers ascending: each pair is a tie in both persons' lists.
    picks: list[tuple[np.ndarray, np.ndarray]] = []
    if within and n > 1:
        start = community.astype(np.int64) * community_size
        size = np.minimum(start + community_size, n) - start
        me = np.repeat(np.arange(n, dtype=np.int64), within)
        csize = np.repeat(size, within)
        ok = csize > 1
        if not ok.all():
            me, csize = me[ok], csize[ok]
        # A uniform other member: offset 1..size-1 from me, wrapped inside the community.
        offset = 1 + (rng.random(len(me)) * (csize - 1)).astype(np.int64)
        first = me // community_size * community_size
        other = me + offset  # wrapped: me - first + offset is below 2 × csize
        other -= np.where(other - first >= csize, csize, 0)
        picks.append((me, other))
        del csize, offset, first
    if between and n > 1:
        me = np.repeat(np.arange(n, dtype=np.int64), between)
        picks.append((me, (me + 1 + (rng.random(len(me)) * (n - 1)).astype(np.int64)) % n))
    if not picks:
        return Network(np.zeros(n + 1, np.int64), np.zeros(0, np.int32), community)
    # Each list is four parts: own picks inside, own picks anywhere, picked-by inside,
    # picked-by anywhere. Rows of the first two are already in order; the last two are put in
    # order by picked person, pickers in order. A full community's picks inside stay inside its
    # block of ids, so those are ordered one community at a time.
    parts = [(me, other) for me, other in picks]
    counts = [np.bincount(me, minlength=n) for me, _ in picks]
    for i, (me, other) in enumerate(picks):
        inside = i == 0 and within > 0 and n > 1
        order = (_stable_order(other, block=community_size * within, span=community_size)
                 if inside else _stable_order(other))
        count = np.bincount(other, minlength=n)
        parts.append((np.repeat(np.arange(n), count), me[order]))
        counts.append(count)
        del order
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(sum(counts), out=indptr[1:])
    indices = np.empty(int(indptr[-1]), np.int32)
    before = indptr[:-1].copy()  # where each row's next part begins
    for (rows, values), count in zip(parts, counts):
        # slot = the row's next free place + rank within this part's entries for that row
        shift = before - (np.cumsum(count) - count)
        indices[shift[rows] + np.arange(len(rows))] = values
        before += count
    return Network(indptr, indices, community)


def _stable_order(rows: np.ndarray, *, block: int = 0, span: int = 0) -> np.ndarray:
    """The positions of ``rows`` in row order, ties in position order: a stable argsort.

    Keys (row, position) are unique, so numpy's fast unstable sort gives the stable order.
    With ``block``, each whole run of ``block`` entries holds rows from its own range of
    ``span`` rows (the first run rows 0..span-1, and so on) and is sorted on its own, in cache.
    """
    whole = len(rows) // block if block else 0
    out = []
    if whole:
        bits = max(int(block - 1).bit_length(), 1)
        dtype = np.int32 if int(span - 1).bit_length() + bits < 31 else np.int64
        first = np.arange(whole, dtype=np.int64)[:, None]
        key = ((rows[:whole * block].reshape(whole, block) - first * span).astype(dtype) << bits
               | np.arange(block, dtype=dtype))
        key.sort(axis=1)
        out.append(((key & ((1 << bits) - 1)) + first * block).ravel())
        del key
    rest = rows[whole * block:]
    if len(rest):
        bits = max(int(len(rest) - 1).bit_length(), 1)
        key = rest << bits | np.arange(len(rest))
        key.sort()
        out.append(whole * block + (key & ((1 << bits) - 1)))
    return np.concatenate(out) if out else np.zeros(0, np.int64)
