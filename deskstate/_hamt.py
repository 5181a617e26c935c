"""A persistent hash map and set made of tuples: a hash array mapped trie (HAMT), as in Clojure.

Each node is one tuple ``(bitmap, key, value, key, value, ...)`` holding the entries whose hash
bits at its level are set in ``bitmap``; an entry whose key is ``_BRANCH`` holds a child node as its
value. Keys whose 64-bit hashes are equal share a *collision* node ``(-1, hash, key, value, ...)``.
Adding or removing a key copies one node per level, O(log32 n); the old map keeps its tuples.

Why not ``pyrsistent.PMap``: its buckets live in a C ``PVector`` whose nodes are not Python
objects, so CPython's cyclic garbage collector walks all of them whenever that vector is young,
which it is after every update: the cost of a collection grew with the size of the map. Here a
collection visits only the few tuples an update made.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Set
from typing import Any, Final, Generic, NoReturn, TypeVar

__all__ = ["HashMap", "HashSet"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_BITS: Final = 5
_MASK: Final = (1 << _BITS) - 1
_HASH_MASK: Final = (1 << 64) - 1
_COLLISION: Final = -1

Node = tuple[Any, ...]


class _Marker:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<branch>"


#: The key of an entry that holds a child node.
_BRANCH: Final = _Marker()
#: What a lookup finds for an absent key.
_ABSENT: Final = _Marker()
_EMPTY_NODE: Final[Node] = (0,)


def _hash(key: object) -> int:
    return hash(key) & _HASH_MASK


def _slot(bitmap: int, bit: int) -> int:
    """Where the entry of ``bit`` starts in a node with ``bitmap``."""
    return 1 + 2 * (bitmap & (bit - 1)).bit_count()


def _lookup(node: Node, key: object, digest: int) -> Any:
    shift = 0
    while True:
        bitmap = node[0]
        if bitmap == _COLLISION:
            for index in range(2, len(node), 2):
                if node[index] == key:
                    return node[index + 1]
            return _ABSENT
        bit = 1 << ((digest >> shift) & _MASK)
        if not bitmap & bit:
            return _ABSENT
        index = _slot(bitmap, bit)
        found = node[index]
        if found is _BRANCH:
            node = node[index + 1]
            shift += _BITS
        elif found is key or found == key:
            return node[index + 1]
        else:
            return _ABSENT


def _pair(shift: int, key1: object, digest1: int, value1: object, key2: object, digest2: int,
          value2: object) -> Node:  # fmt: skip
    """The node at ``shift`` holding two entries of different keys."""
    if digest1 == digest2:
        return (_COLLISION, digest1, key1, value1, key2, value2)
    index1, index2 = (digest1 >> shift) & _MASK, (digest2 >> shift) & _MASK
    if index1 == index2:
        child = _pair(shift + _BITS, key1, digest1, value1, key2, digest2, value2)
        return (1 << index1, _BRANCH, child)
    if index1 < index2:
        return ((1 << index1) | (1 << index2), key1, value1, key2, value2)
    return ((1 << index1) | (1 << index2), key2, value2, key1, value1)


def _assoc(node: Node, shift: int, key: object, digest: int, value: object) -> tuple[Node, bool]:
    """``node`` with ``key`` mapped to ``value``, and whether the key is new."""
    bitmap = node[0]
    if bitmap == _COLLISION:
        if digest == node[1]:
            for index in range(2, len(node), 2):
                if node[index] == key:
                    if node[index + 1] is value:
                        return node, False
                    return (*node[: index + 1], value, *node[index + 2 :]), False
            return (*node, key, value), True
        # Another hash: put the collision node one level down, beside the new key.
        node = (1 << ((node[1] >> shift) & _MASK), _BRANCH, node)
        bitmap = node[0]
    bit = 1 << ((digest >> shift) & _MASK)
    index = _slot(bitmap, bit)
    if not bitmap & bit:
        return (bitmap | bit, *node[1:index], key, value, *node[index:]), True
    found = node[index]
    if found is _BRANCH:
        child = node[index + 1]
        new_child, added = _assoc(child, shift + _BITS, key, digest, value)
        if new_child is child:
            return node, False
        return (*node[: index + 1], new_child, *node[index + 2 :]), added
    if found is key or found == key:
        if node[index + 1] is value:
            return node, False
        return (*node[: index + 1], value, *node[index + 2 :]), False
    child = _pair(shift + _BITS, found, _hash(found), node[index + 1], key, digest, value)
    return (*node[:index], _BRANCH, child, *node[index + 2 :]), True


def _without_entry(node: Node, index: int, bit: int) -> Node | None:
    bitmap = node[0] & ~bit
    if not bitmap:
        return None
    return (bitmap, *node[1:index], *node[index + 2 :])


def _dissoc(node: Node, shift: int, key: object, digest: int) -> Node | None:
    """``node`` without ``key`` (the same node when it is absent; ``None`` once empty)."""
    bitmap = node[0]
    if bitmap == _COLLISION:
        for index in range(2, len(node), 2):
            if node[index] == key:
                rest = (*node[2:index], *node[index + 2 :])
                if len(rest) == 2:  # one entry left: an ordinary node at this level
                    return (1 << ((digest >> shift) & _MASK), *rest)
                return (_COLLISION, digest, *rest)
        return node
    bit = 1 << ((digest >> shift) & _MASK)
    if not bitmap & bit:
        return node
    index = _slot(bitmap, bit)
    found = node[index]
    if found is _BRANCH:
        child = node[index + 1]
        new_child = _dissoc(child, shift + _BITS, key, digest)
        if new_child is child:
            return node
        if new_child is None:
            return _without_entry(node, index, bit)
        if len(new_child) == 3 and new_child[0] != _COLLISION and new_child[1] is not _BRANCH:
            # A child left with one entry moves up into this node.
            return (*node[:index], new_child[1], new_child[2], *node[index + 2 :])
        return (*node[: index + 1], new_child, *node[index + 2 :])
    if found is key or found == key:
        return _without_entry(node, index, bit)
    return node


def _entries(node: Node) -> Iterator[tuple[Any, Any]]:
    start = 2 if node[0] == _COLLISION else 1
    for index in range(start, len(node), 2):
        key = node[index]
        if key is _BRANCH:
            yield from _entries(node[index + 1])
        else:
            yield key, node[index + 1]


class _Frozen:
    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"a {type(self).__name__} cannot be changed (tried to set {name!r})")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(
            f"a {type(self).__name__} cannot be changed (tried to delete {name!r})"
        )


class HashMap(_Frozen, Mapping[K, V], Generic[K, V]):
    """An immutable mapping: ``set`` and ``remove`` return a new map and leave this one as is."""

    __slots__ = ("_count", "_root")

    _root: Node
    _count: int

    def __new__(cls, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> HashMap[K, V]:
        pairs = items.items() if isinstance(items, Mapping) else items
        root, count = _EMPTY_NODE, 0
        for key, value in pairs:
            root, added = _assoc(root, 0, key, _hash(key), value)
            count += added
        return cls._make(root, count)

    @classmethod
    def _make(cls, root: Node, count: int) -> HashMap[K, V]:
        made = object.__new__(cls)
        object.__setattr__(made, "_root", root)
        object.__setattr__(made, "_count", count)
        return made

    def set(self, key: K, value: V) -> HashMap[K, V]:
        """A map like this one with ``key`` mapped to ``value`` (itself when it already was)."""
        root, added = _assoc(self._root, 0, key, _hash(key), value)
        if root is self._root:
            return self
        return self._make(root, self._count + added)

    def remove(self, key: K) -> HashMap[K, V]:
        """A map like this one without ``key``; raises ``KeyError`` when it has none."""
        root = _dissoc(self._root, 0, key, _hash(key))
        if root is self._root:
            raise KeyError(key)
        return self._make(_EMPTY_NODE if root is None else root, self._count - 1)

    def __getitem__(self, key: K) -> V:
        found = _lookup(self._root, key, _hash(key))
        if found is _ABSENT:
            raise KeyError(key)
        value: V = found
        return value

    def get(self, key: K, default: Any = None) -> Any:
        """The value of ``key``, or ``default``."""
        found = _lookup(self._root, key, _hash(key))
        return default if found is _ABSENT else found

    def __contains__(self, key: object) -> bool:
        return _lookup(self._root, key, _hash(key)) is not _ABSENT

    def __iter__(self) -> Iterator[K]:
        return (key for key, _ in _entries(self._root))

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return f"HashMap({dict(_entries(self._root))!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (HashMap, (list(_entries(self._root)),))


class HashSet(_Frozen, Set[K], Generic[K]):
    """An immutable set: ``add`` returns a new set and leaves this one as is."""

    __slots__ = ("_count", "_root")

    _root: Node
    _count: int

    def __new__(cls, items: Iterable[K] = ()) -> HashSet[K]:
        root, count = _EMPTY_NODE, 0
        for item in items:
            root, added = _assoc(root, 0, item, _hash(item), None)
            count += added
        return cls._make(root, count)

    @classmethod
    def _make(cls, root: Node, count: int) -> HashSet[K]:
        made = object.__new__(cls)
        object.__setattr__(made, "_root", root)
        object.__setattr__(made, "_count", count)
        return made

    def add(self, item: K) -> HashSet[K]:
        """A set like this one with ``item`` (itself when it already had it)."""
        root, added = _assoc(self._root, 0, item, _hash(item), None)
        return self._make(root, self._count + 1) if added else self

    def __contains__(self, item: object) -> bool:
        return _lookup(self._root, item, _hash(item)) is not _ABSENT

    def __iter__(self) -> Iterator[K]:
        return (key for key, _ in _entries(self._root))

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return f"HashSet({set(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (HashSet, (list(self),))
