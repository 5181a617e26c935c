"""The desk order: the ids of the open conversations, in the order they were added.

A conversation leaves the order from anywhere, so a plain persistent vector would have to shift
every id after it: O(n). :class:`DeskOrder` keeps the ids in a :class:`~deskstate._vector.Vector`
of *slots* instead, with a map from each id to its slot: ``append`` fills the next slot, ``remove``
empties the id's slot, both O(log n). Once there are more empty slots than ids, the next
``remove`` packs the ids into a fresh vector, O(n) once in a while and O(1) amortised per removal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final, overload

from deskstate._hamt import HashMap
from deskstate._immutable import FrozenSequence
from deskstate._vector import Vector

__all__ = ["DeskOrder"]

#: Fewer empty slots than this are never packed away: not worth a rebuild.
_PACK_AT_LEAST: Final = 32


class DeskOrder(FrozenSequence[str]):
    """Conversation ids in desk order, each at most once; ``append``/``remove`` return a new order.

    Indexing is O(log n) until a conversation leaves, then O(n) until the order is packed again;
    ``in`` is O(log n), iteration O(n). It compares equal to any sequence of the same ids in the
    same order, and hashes as their tuple.
    """

    __slots__ = ("_empty", "_slot_of", "_slots")

    _slots: Vector[str | None]
    _slot_of: HashMap[str, int]
    _empty: int

    def __new__(cls, ids: Iterable[str] = ()) -> DeskOrder:
        ids = tuple(ids)
        slot_of: HashMap[str, int] = HashMap((cid, slot) for slot, cid in enumerate(ids))
        if len(slot_of) != len(ids):
            repeated = sorted({cid for cid in ids if ids.count(cid) > 1})
            raise ValueError(f"the desk order holds each id once, got {', '.join(repeated)} twice")
        return cls._make(Vector(ids), slot_of, 0)

    @classmethod
    def _make(cls, slots: Vector[str | None], slot_of: HashMap[str, int], empty: int) -> DeskOrder:
        order = object.__new__(cls)
        object.__setattr__(order, "_slots", slots)
        object.__setattr__(order, "_slot_of", slot_of)
        object.__setattr__(order, "_empty", empty)
        return order

    def append(self, cid: str) -> DeskOrder:
        """The order with ``cid`` added at the end; ``ValueError`` when it is already in it."""
        if cid in self._slot_of:
            raise ValueError(f"conversation {cid!r} is already in the desk order")
        slots = self._slots
        return self._make(slots.append(cid), self._slot_of.set(cid, len(slots)), self._empty)

    def remove(self, cid: str) -> DeskOrder:
        """The order without ``cid``; raises ``ValueError`` when it is not in it."""
        slot = self._slot_of.get(cid)
        if slot is None:
            raise ValueError(f"conversation {cid!r} is not in the desk order")
        empty = self._empty + 1
        if empty >= _PACK_AT_LEAST and empty > len(self._slots) - empty:
            return DeskOrder(other for other in self if other != cid)
        return self._make(self._slots.set(slot, None), self._slot_of.remove(cid), empty)

    def rank(self, cid: str) -> int | None:
        """A number that sorts ``cid`` in desk order among the ids here (``None``: not here).

        O(log n) whatever the holes, where :meth:`index` may be O(n): for sorting a few ids.
        """
        return self._slot_of.get(cid)

    def __len__(self) -> int:
        return len(self._slots) - self._empty

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        if not self._empty:
            found = self._slots[index]
            assert found is not None
            return found
        return tuple(self)[index]

    def __iter__(self) -> Iterator[str]:
        return (cid for cid in self._slots if cid is not None)

    def __contains__(self, cid: object) -> bool:
        return cid in self._slot_of

    def index(self, cid: object, start: int = 0, stop: int | None = None) -> int:
        """The position of ``cid`` in the order; raises ``ValueError`` when it is not in it."""
        if start == 0 and stop is None and not self._empty:
            slot = self._slot_of.get(cid)  # type: ignore[call-overload] # any object may be asked
            if slot is None:
                raise ValueError(f"conversation {cid!r} is not in the desk order")
            position: int = slot
            return position
        return super().index(cid, start, len(self) if stop is None else stop)
