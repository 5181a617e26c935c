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
from typing import Any, Final, Generic, TypeVar, overload

from deskstate._immutable import Immutable

__all__ = ["HashMap", "HashSet"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_D = TypeVar("_D")

_BITS: Final = 5
_MASK: Final = (1 << _BITS) - 1
_HASH_MASK: Final = (1 << 64) - 1
_COLLISION: Final = -1

Node = tuple[Any, ...]


class _Marker:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<branch>"


#: The key of an entry that holds a child node. A plain ``object()``, which the garbage collector
#: does not track (an instance of a class of ours would be), so that a node of untracked keys and
#: values is itself untracked once a collection has seen it, however deep it is.
_BRANCH: Final = object()
#: What a lookup finds for an absent key.
_ABSENT: Final = _Marker()
_EMPTY_NODE: Final[Node] = (0,)
#: The iterables whose items are distinct already (a dict: its keys).
_DISTINCT: Final = frozenset({set, frozenset, dict})


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
        index = 1 + 2 * (bitmap & (bit - 1)).bit_count()  # _slot(), inlined on this hot path
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
    index = 1 + 2 * (bitmap & (bit - 1)).bit_count()  # _slot(), inlined on this hot path
    if not bitmap & bit:
        return (bitmap | bit, *node[1:index]) + (key, value) + node[index:], True
    found = node[index]
    if found is _BRANCH:
        child = node[index + 1]
        new_child, added = _assoc(child, shift + _BITS, key, digest, value)
        if new_child is child:
            return node, False
        return node[: index + 1] + (new_child,) + node[index + 2 :], added
    if found is key or found == key:
        if node[index + 1] is value:
            return node, False
        return (*node[: index + 1], value, *node[index + 2 :]), False
    found_digest = hash(found) & _HASH_MASK
    child = _pair(shift + _BITS, found, found_digest, node[index + 1], key, digest, value)
    return (*node[:index], _BRANCH, child, *node[index + 2 :]), True


Entry = tuple[int, object, object]  # (digest, key, value)


def _grouped(entries: list[Entry], shift: int) -> dict[int, list[Entry]]:
    """``entries`` by their slot at ``shift``, each group in the order given."""
    groups: dict[int, list[Entry]] = {}
    for entry in entries:
        chunk = (entry[0] >> shift) & _MASK
        group = groups.get(chunk)
        if group is None:
            groups[chunk] = [entry]
        else:
            group.append(entry)
    return groups


def _built(entries: list[Entry], shift: int) -> Node:
    """The node at ``shift`` of ``(digest, key, value)`` entries of distinct keys.

    The very node that adding them one by one with :func:`_assoc` makes (the trie's shape does
    not depend on the order of its keys, and a collision node keeps them in the order given),
    built in one pass per level.
    """
    if len(entries) == 1:  # a new conversation's first message id, say
        digest, key, value = entries[0]
        return (1 << ((digest >> shift) & _MASK), key, value)
    # A slot holds its entry alone, or a list of the entries that share it: most slots of a
    # small node hold one entry, and a list for each would cost more than the node itself.
    slots: dict[int, Entry | list[Entry]] = {}
    for entry in entries:
        chunk = (entry[0] >> shift) & _MASK
        held = slots.get(chunk)
        if held is None:
            slots[chunk] = entry
        elif type(held) is list:
            held.append(entry)
        else:
            slots[chunk] = [held, entry]  # type: ignore[list-item]
    bitmap = 0
    parts: list[object] = []
    deeper = shift + _BITS
    for chunk in sorted(slots):
        bitmap |= 1 << chunk
        held = slots[chunk]
        if type(held) is list:
            parts += _subtree(held, deeper)
        else:
            parts += held[1:]
    return (bitmap, *parts)


def _subtree(entries: list[Entry], shift: int) -> tuple[object, object]:
    """What a slot holds for ``entries``: a key and its value, or ``_BRANCH`` and a child node."""
    if len(entries) == 1:
        return entries[0][1], entries[0][2]
    digest = entries[0][0]
    if all(entry[0] == digest for entry in entries):
        return _BRANCH, (_COLLISION, digest, *(part for entry in entries for part in entry[1:]))
    return _BRANCH, _built(entries, shift)


def _merged(node: Node, shift: int, entries: list[Entry]) -> tuple[Node, int]:
    """``node`` at ``shift`` with ``entries`` (of distinct keys) set; and how many keys are new.

    The very node that setting them one by one with :func:`_assoc` makes, in one pass per
    level: each node on the way to an entry is copied once, not once per entry under it.
    """
    bitmap = node[0]
    if bitmap == _COLLISION or len(entries) == 1:
        added = 0
        for digest, key, value in entries:
            node, new = _assoc(node, shift, key, digest, value)
            added += new
        return node, added
    groups = _grouped(entries, shift)
    parts = list(node)
    added = changed = 0
    for chunk in sorted(groups):  # the slots from the current bitmap, as the parts grow
        group, bit = groups[chunk], 1 << chunk
        index = 1 + 2 * (bitmap & (bit - 1)).bit_count()
        if not bitmap & bit:
            bitmap |= bit
            parts[index:index] = _subtree(group, shift + _BITS)
            added += len(group)
            changed = 1
            continue
        found, held = parts[index], parts[index + 1]
        if found is _BRANCH:
            child, more = _merged(held, shift + _BITS, group)
            if child is not held:
                parts[index + 1], added, changed = child, added + more, 1
            continue
        found_digest = hash(found) & _HASH_MASK
        rest: list[Entry] = []
        for entry in group:
            if entry[0] == found_digest and (entry[1] is found or entry[1] == found):
                held = entry[2]  # the entry already there takes its new value, in its place
            else:
                rest.append(entry)
        if rest:
            parts[index : index + 2] = _subtree([(found_digest, found, held), *rest], shift + _BITS)
            added += len(rest)
            changed = 1
        elif held is not parts[index + 1]:
            parts[index + 1], changed = held, 1
    if not changed:
        return node, 0
    parts[0] = bitmap
    return tuple(parts), added


def _root(entries: list[Entry]) -> tuple[Node, int]:
    """The root and size of a trie of ``(digest, key, value)`` entries of distinct keys."""
    return (_built(entries, 0) if entries else _EMPTY_NODE), len(entries)


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


def _slot_entries(node: Node, index: int) -> Iterator[tuple[Any, Any]]:
    """The entries under the slot at ``index`` of ``node``: one entry, or a child's."""
    if node[index] is _BRANCH:
        return _entries(node[index + 1])
    return iter(((node[index], node[index + 1]),))


def _changed_between(old: Node, new: Node, out: list[Any]) -> None:
    """Add to ``out`` the keys of one node only, or bound to objects that are not the same."""
    if old is new:
        return
    old_bitmap, new_bitmap = old[0], new[0]
    if _COLLISION in (old_bitmap, new_bitmap):
        _changed_by_lookup(dict(_entries(old)), dict(_entries(new)), out)
        return
    bits = old_bitmap | new_bitmap
    while bits:
        bit = bits & -bits
        bits ^= bit
        old_index = 1 + 2 * (old_bitmap & (bit - 1)).bit_count() if old_bitmap & bit else 0
        new_index = 1 + 2 * (new_bitmap & (bit - 1)).bit_count() if new_bitmap & bit else 0
        if not old_index or not new_index:  # in one node only: every key under it changed
            node, index = (old, old_index) if old_index else (new, new_index)
            out.extend(key for key, _ in _slot_entries(node, index))
        elif old[old_index] is _BRANCH and new[new_index] is _BRANCH:
            _changed_between(old[old_index + 1], new[new_index + 1], out)
        elif old[old_index] is not new[new_index] or old[old_index + 1] is not new[new_index + 1]:
            before = dict(_slot_entries(old, old_index))
            after = dict(_slot_entries(new, new_index))
            _changed_by_lookup(before, after, out)


def _changed_by_lookup(before: dict[Any, Any], after: dict[Any, Any], out: list[Any]) -> None:
    out.extend(key for key, value in after.items() if before.get(key, _ABSENT) is not value)
    out.extend(key for key in before if key not in after)


class HashMap(Immutable, Mapping[K, V], Generic[K, V]):
    """An immutable mapping: ``set`` and ``remove`` return a new map and leave this one as is."""

    # Two slots, not a (root, count) tuple: 48 bytes fewer per update, kept by every snapshot.
    __slots__ = ("_count", "_root")

    _root: Node
    _count: int

    def __new__(cls, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> HashMap[K, V]:
        # A dict keeps each key's first place and last value, as adding them one by one does.
        distinct = items if type(items) is dict else dict(items)
        entries: list[Entry] = [
            (hash(key) & _HASH_MASK, key, value) for key, value in distinct.items()
        ]
        return _make_map(cls, *_root(entries))

    def set(self, key: K, value: V) -> HashMap[K, V]:
        """A map like this one with ``key`` mapped to ``value`` (itself when it already was)."""
        old_root, count = self._root, self._count
        root, added = _assoc(old_root, 0, key, hash(key) & _HASH_MASK, value)
        if root is old_root:
            return self
        return _make_map(type(self), root, count + added)

    def update(self, items: Mapping[K, V]) -> HashMap[K, V]:
        """A map like this one with every key of ``items`` mapped to its value there.

        Costs one copy of each node on the way to the keys, however many keys share it.
        """
        if not items:
            return self
        old_root, count = self._root, self._count
        entries: list[Entry] = [
            (hash(key) & _HASH_MASK, key, value) for key, value in items.items()
        ]
        root, added = _merged(old_root, 0, entries)
        if root is old_root:
            return self
        return _make_map(type(self), root, count + added)

    def remove(self, key: K) -> HashMap[K, V]:
        """A map like this one without ``key``; raises ``KeyError`` when it has none."""
        old_root, count = self._root, self._count
        root = _dissoc(old_root, 0, key, _hash(key))
        if root is old_root:
            raise KeyError(key)
        return _make_map(type(self), _EMPTY_NODE if root is None else root, count - 1)

    def __getitem__(self, key: K) -> V:
        found = _lookup(self._root, key, hash(key) & _HASH_MASK)
        if found is _ABSENT:
            raise KeyError(key)
        value: V = found
        return value

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, /, default: V | _D) -> V | _D: ...
    def get(self, key: K, /, default: object = None) -> object:
        """The value of ``key``, or ``default``."""
        found = _lookup(self._root, key, hash(key) & _HASH_MASK)
        return default if found is _ABSENT else found

    def __contains__(self, key: object) -> bool:
        return _lookup(self._root, key, hash(key) & _HASH_MASK) is not _ABSENT

    def __iter__(self) -> Iterator[K]:
        return (key for key, _ in _entries(self._root))

    def __len__(self) -> int:
        return self._count

    def changed_keys(self, other: HashMap[K, V]) -> list[K]:
        """The keys bound in one of the two maps only, or to objects that are not the same.

        Maps made one from the other by ``set`` and ``remove`` share every node but those on the
        paths to what changed, so this costs O(changes * log n), not O(n).
        """
        changed: list[K] = []
        _changed_between(self._root, other._root, changed)
        return changed

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HashMap) and other._root is self._root:
            return True
        if not isinstance(other, Mapping) or len(other) != len(self):
            return NotImplemented if not isinstance(other, Mapping) else False
        get = other.get
        return all(
            (found := get(key, _ABSENT)) is value or found == value
            for key, value in _entries(self._root)
        )

    def __hash__(self) -> int:
        return hash(frozenset(_entries(self._root)))

    def __repr__(self) -> str:
        return f"HashMap({dict(_entries(self._root))!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (HashMap, (list(_entries(self._root)),))


class HashSet(Immutable, Set[K], Generic[K]):
    """An immutable set: ``add`` returns a new set and leaves this one as is."""

    __slots__ = ("_count", "_root")  # as HashMap's

    _root: Node
    _count: int

    def __new__(cls, items: Iterable[K] = ()) -> HashSet[K]:
        distinct = items if type(items) in _DISTINCT else dict.fromkeys(items)
        entries: list[Entry] = [(hash(item) & _HASH_MASK, item, None) for item in distinct]
        return _make_set(cls, *_root(entries))

    def add(self, item: K) -> HashSet[K]:
        """A set like this one with ``item`` (itself when it already had it)."""
        root, count = self._root, self._count
        root, added = _assoc(root, 0, item, hash(item) & _HASH_MASK, None)
        return _make_set(type(self), root, count + 1) if added else self

    def update(self, items: Iterable[K]) -> HashSet[K]:
        """A set like this one with ``items`` (itself when it had them all).

        Costs one copy of each node on the way to the new items, however many items share it.
        """
        distinct = items if type(items) in _DISTINCT else dict.fromkeys(items)
        if not distinct:
            return self
        root, count = self._root, self._count
        entries: list[Entry] = [(hash(item) & _HASH_MASK, item, None) for item in distinct]
        root, added = _merged(root, 0, entries)
        return _make_set(type(self), root, count + added) if added else self

    def __contains__(self, item: object) -> bool:
        return _lookup(self._root, item, hash(item) & _HASH_MASK) is not _ABSENT

    def __iter__(self) -> Iterator[K]:
        return (key for key, _ in _entries(self._root))

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return f"HashSet({set(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (HashSet, (list(self),))


_new_object = object.__new__
# The slots' own setters: they bypass the __setattr__ that refuses every change.
_set_map_root = HashMap._root.__set__  # type: ignore[attr-defined]
_set_map_count = HashMap._count.__set__  # type: ignore[attr-defined]
_set_set_root = HashSet._root.__set__  # type: ignore[attr-defined]
_set_set_count = HashSet._count.__set__  # type: ignore[attr-defined]


def _make_map(cls: type[HashMap[K, V]], root: Node, count: int) -> HashMap[K, V]:
    made = _new_object(cls)
    _set_map_root(made, root)
    _set_map_count(made, count)
    return made


def _make_set(cls: type[HashSet[K]], root: Node, count: int) -> HashSet[K]:
    made = _new_object(cls)
    _set_set_root(made, root)
    _set_set_count(made, count)
    return made
