"""Faster updates of pyrsistent maps, the same maps as pyrsistent's own.

``PMap.set`` goes through an evolver (a mutable copy made persistent again), which costs about
6 µs a call, and the reducer makes two of them per message. :func:`map_set` takes the two common
cases straight to the result pyrsistent's evolver would build,
bucket for bucket: a key that is already there gets a new bucket (the size is unchanged), and a new
key goes to the front of its bucket when the map needs no reallocation. Every other case (the map
must grow) goes to pyrsistent itself. It reads pyrsistent's internals (``PMap._buckets``,
``PMap._size``, as of pyrsistent 0.20): when those are not there, it falls back to the public
``set``.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

from pyrsistent import PMap, pmap

__all__ = ["map_set"]

_K = TypeVar("_K")
_V = TypeVar("_V")

#: pyrsistent reallocates a map whose buckets are fewer than this share of its size.
_LOAD: Final = 0.67
_LAID_OUT_AS_EXPECTED: Final = hasattr(pmap(), "_buckets") and hasattr(pmap(), "_size")


def map_set(mapping: PMap[_K, _V], key: _K, value: _V) -> PMap[_K, _V]:
    """``mapping.set(key, value)``, without the evolver in the common cases."""
    if not _LAID_OUT_AS_EXPECTED:
        return mapping.set(key, value)
    inside: Any = mapping  # pyrsistent's internals, which its type stubs do not describe
    buckets = inside._buckets
    index = hash(key) % len(buckets)
    bucket = buckets[index]
    if bucket:
        for k, v in bucket:
            if k == key:
                if v is value:
                    return mapping
                if len(bucket) == 1:  # the usual bucket: one entry
                    changed = [(k, value)]
                else:  # `not (k2 == k)` rather than `!=`, as pyrsistent does (its issue #268)
                    changed = [(k2, v2) if not (k2 == k) else (k2, value) for k2, v2 in bucket]  # noqa: SIM201
                made: PMap[_K, _V] = _PMAP(inside._size, buckets.set(index, changed))
                return made
    size = inside._size
    if len(buckets) < _LOAD * size:
        return mapping.set(key, value)  # the map grows: pyrsistent reallocates it
    added = [(key, value)]
    if bucket:
        added.extend(bucket)
    grown: PMap[_K, _V] = _PMAP(size + 1, buckets.set(index, added))
    return grown


# The class, called as its own __new__ takes it: PMap(size, buckets).
_PMAP: Final[Any] = PMap
