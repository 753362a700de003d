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
_ROWS_AT_ONCE = 1 << 20  # persons whose ties are laid out per block while building


@dataclass(frozen=True)
class Network:
    indptr: np.ndarray   # int64, size n+1
    indices: np.ndarray  # int32 neighbour ids
    community: np.ndarray  # int32 community of each person

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbours_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Concatenated neighbour lists of ``ids`` and, for each entry, its position in ``ids``.

        Neighbours come back as int64: numpy indexes with int64 (intp) index arrays about
        twice as fast as with int32 ones, and callers index with them at once."""
        starts = self.indptr[ids]
        counts = self.indptr[ids + 1] - starts
        owner = np.repeat(np.arange(len(ids)), counts)
        # Entry k of the output is entry (k - first output slot of its owner) of the owner's list.
        shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        return self.indices[shift + np.arange(len(shift))].astype(np.int64), owner


def community_network(n: int, *, community_size: int, within: int, between: int,
                      rng: np.random.Generator) -> Network:
    """Communities of consecutive ids; ``within`` ties inside and ``between`` ties outside each.

    Person i's list holds, in this order: the contacts i picked inside the community, those i
    picked anywhere, then those who picked i inside and anywhere, each group by picker id.
    """
    if n > ID_LIMIT:
        raise ValueError(f"a network of {n:,} persons exceeds the int32 id range")
    community = (np.arange(n) // community_size).astype(np.int32)
    # (picker, picked, picks per person) with pickers ascending: each pair is a tie in both
    # persons' lists. Ids are int32 throughout, which halves the memory the build peaks at.
    picks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if within and n > 1:
        first = community * np.int32(community_size)
        size = np.minimum(first + community_size, n) - first  # the last community may be short
        per = np.where(size > 1, within, 0)  # no one to pick in a community of one
        me = np.repeat(np.arange(n, dtype=np.int32), per)
        csize = size[me]
        # A uniform other member: offset 1..size-1 from me, wrapped inside the community.
        other = me + (1 + (rng.random(len(me)) * (csize - 1)).astype(np.int32))
        other -= np.where(other - first[me] >= csize, csize, 0)  # me - first + offset < 2 × csize
        picks.append((me, other, per))
        del csize
    if between and n > 1:
        me = np.repeat(np.arange(n, dtype=np.int32), between)
        offset = (rng.random(len(me)) * (n - 1)).astype(np.int32)
        picks.append((me, ((me.astype(np.int64) + 1 + offset) % n).astype(np.int32),
                      np.full(n, between)))
        del offset
    if not picks:
        return Network(np.zeros(n + 1, np.int64), np.zeros(0, np.int32), community)
    # Each list is four parts: own picks inside, own picks anywhere, picked-by inside,
    # picked-by anywhere. Own picks are in order already; picked-by ties are put in order by
    # picked person, pickers in order. A full community's picks inside stay inside its block
    # of ids, so those are ordered one community at a time.
    parts = [(other, per) for _, other, per in picks]
    for i, (me, other, _) in enumerate(picks):
        inside = i == 0 and within > 0 and n > 1
        order = (_stable_order(other, block=community_size * within, span=community_size)
                 if inside else _stable_order(other))
        parts.append((me[order], np.bincount(other, minlength=n)))
        del order
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(sum(count for _, count in parts), out=indptr[1:])
    indices = np.empty(int(indptr[-1]), np.int32)
    before = indptr[:-1].copy()  # where each row's next part begins
    for values, count in parts:
        # Part entries of rows a..b-1 are values[end[a-1]:end[b-1]], laid at each row's next
        # free place; a block of rows at a time keeps the slot arrays small.
        end = np.cumsum(count)
        shift = before - (end - count)
        for a in range(0, n, _ROWS_AT_ONCE):
            b = min(a + _ROWS_AT_ONCE, n)
            lo, hi = end[a] - count[a], end[b - 1]
            indices[np.repeat(shift[a:b], count[a:b]) + np.arange(lo, hi)] = values[lo:hi]
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
        key = rest.astype(np.int64) << bits | np.arange(len(rest))
        key.sort()
        out.append(whole * block + (key & ((1 << bits) - 1)))
    return np.concatenate(out) if out else np.zeros(0, np.int64)
