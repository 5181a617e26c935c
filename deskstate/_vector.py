"""A persistent vector made of tuples, for a snapshot's long sequences (a conversation's messages).

The layout is Clojure's: a trie of 32-wide tuples holding all but the last few items, and a *tail*
tuple of up to 32 items. ``append`` copies the tail, and once every 32 appends a path of the trie,
so it costs O(1) amortised and O(log32 n) at worst; indexing is O(log32 n). Old vectors share all
their tuples with the new one and never change.

Why not ``pyrsistent.PVector``: its C nodes are not Python objects, so CPython's cyclic garbage
collector, which visits every young container, walks a young PVector's *whole* trie to find the
items it holds. A conversation of 1,000,000 messages made each young collection visit 1,000,000
references, 25 times slower per event than with 1,000 messages. Here every node is a tuple of its
own: a young collection visits the few young tuples an append made, whatever the length.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Final, Generic, TypeVar, overload

from deskstate._immutable import FrozenSequence

__all__ = ["Vector"]

T = TypeVar("T")

_BITS: Final = 5
_WIDTH: Final = 1 << _BITS
_MASK: Final = _WIDTH - 1

Node = tuple[Any, ...]


def _new_path(level: int, node: Node) -> Node:
    """``node`` at the bottom of a new one-child path ``level`` bits deep."""
    while level:
        node = (node,)
        level -= _BITS
    return node


def _push_leaf(count: int, level: int, parent: Node, leaf: Node) -> Node:
    """``parent`` (a node ``level`` bits above the leaves) with ``leaf`` added as leaf ``count``."""
    index = (count >> level) & _MASK
    if level == _BITS:
        child = leaf
    elif index < len(parent):
        child = _push_leaf(count, level - _BITS, parent[index], leaf)
    else:
        child = _new_path(level - _BITS, leaf)
    if index < len(parent):
        return (*parent[:index], child, *parent[index + 1 :])
    return (*parent, child)


def _set_in(level: int, node: Node, index: int, item: object) -> Node:
    slot = (index >> level) & _MASK
    child = item if level == 0 else _set_in(level - _BITS, node[slot], index, item)
    return (*node[:slot], child, *node[slot + 1 :])


def _leaves(level: int, node: Node) -> Iterator[Node]:
    if level == _BITS:
        yield from node
    else:
        for child in node:
            yield from _leaves(level - _BITS, child)


class Vector(FrozenSequence[T], Generic[T]):
    """An immutable sequence: ``append`` and ``set`` return a new vector and leave this one as is.

    It compares equal to any sequence of equal items in the same order (a list, a tuple, a
    ``pyrsistent.PVector``), and hashes as the tuple of its items.
    """

    # Four slots, not one (count, shift, root, tail) tuple: 48 bytes fewer per append, kept by
    # every snapshot of a history.
    __slots__ = ("_count", "_root", "_shift", "_tail")

    _count: int
    _shift: int
    _root: Node
    _tail: Node

    def __new__(cls, items: Iterable[T] = ()) -> Vector[T]:
        listed = items if isinstance(items, list | tuple) else list(items)
        if not listed and cls is Vector:
            return _EMPTY
        return _make(cls, *_built(listed))

    def append(self, item: T) -> Vector[T]:
        """A vector like this one with ``item`` added at the end."""
        count, shift, root, tail = self._count, self._shift, self._root, self._tail
        if len(tail) < _WIDTH:
            return _make(type(self), count + 1, shift, root, tail + (item,))
        # The tail is full: it becomes leaf number count // 32 of the trie.
        leaf_start = count - _WIDTH
        if (leaf_start >> _BITS) >= (1 << shift):  # the trie is full: grow a level
            root = (root, _new_path(shift, tail))
            shift += _BITS
        else:
            root = _push_leaf(leaf_start, shift, root, tail)
        return _make(type(self), count + 1, shift, root, (item,))

    def extend(self, items: Iterable[T]) -> Vector[T]:
        """A vector like this one with ``items`` added at the end, in one go.

        The very vector that appending them one by one makes, without a vector in between.
        """
        added = tuple(items)
        if not added:
            return self
        count, shift, root, tail = self._count, self._shift, self._root, self._tail
        pending = tail + added
        start = count - len(tail)  # the index of pending[0]
        offset = 0
        while len(pending) - offset > _WIDTH:  # a full leaf, and more after it
            leaf = pending[offset : offset + _WIDTH]
            if (start >> _BITS) >= (1 << shift):  # the trie is full: grow a level
                root = (root, _new_path(shift, leaf))
                shift += _BITS
            else:
                root = _push_leaf(start, shift, root, leaf)
            start += _WIDTH
            offset += _WIDTH
        return _make(type(self), count + len(added), shift, root, pending[offset:])

    def set(self, index: int, item: T) -> Vector[T]:
        """A vector like this one with the item at ``index`` replaced by ``item``."""
        count, shift, root, tail = self._count, self._shift, self._root, self._tail
        index = _checked(index, count)
        start = count - len(tail)
        if index >= start:
            offset = index - start
            return _make(
                type(self), count, shift, root, (*tail[:offset], item, *tail[offset + 1 :])
            )
        return _make(type(self), count, shift, _set_in(shift, root, index, item), tail)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Vector[T]: ...
    def __getitem__(self, index: int | slice) -> T | Vector[T]:
        if isinstance(index, slice):
            return Vector(tuple(self)[index])
        count, level, node, tail = self._count, self._shift, self._root, self._tail
        index = _checked(index, count)
        start = count - len(tail)
        if index >= start:
            item: T = tail[index - start]
            return item
        while level:
            node = node[(index >> level) & _MASK]
            level -= _BITS
        found: T = node[index & _MASK]
        return found

    def __iter__(self) -> Iterator[T]:
        shift, root, tail = self._shift, self._root, self._tail
        if root:
            for leaf in _leaves(shift, root):
                yield from leaf
        yield from tail

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Vector) and self._root is other._root and self._tail is other._tail:
            return True  # the same nodes: equal without looking at an item
        return super().__eq__(other)

    __hash__ = FrozenSequence.__hash__


def _built(items: list[Any] | tuple[Any, ...]) -> tuple[int, int, Node, Node]:
    """The parts of a vector of ``items``, as appending them one by one would make them."""
    count = len(items)
    tail_start = ((count - 1) >> _BITS) << _BITS if count else 0
    nodes: list[Node] = [
        tuple(items[start : start + _WIDTH]) for start in range(0, tail_start, _WIDTH)
    ]
    shift = _BITS
    while len(nodes) > _WIDTH:  # a full level: the next one up holds its nodes 32 by 32
        nodes = [tuple(nodes[start : start + _WIDTH]) for start in range(0, len(nodes), _WIDTH)]
        shift += _BITS
    return (count, shift, tuple(nodes), tuple(items[tail_start:]))


def _checked(index: int, count: int) -> int:
    if index < 0:
        index += count
    if not 0 <= index < count:
        raise IndexError(f"vector index out of range: {index} (length {count})")
    return index


_new_object = object.__new__
# The slots' own setters: they bypass the __setattr__ that refuses every change.
_set_count = Vector._count.__set__  # type: ignore[attr-defined]
_set_shift = Vector._shift.__set__  # type: ignore[attr-defined]
_set_root = Vector._root.__set__  # type: ignore[attr-defined]
_set_tail = Vector._tail.__set__  # type: ignore[attr-defined]


def _make(cls: type[Vector[T]], count: int, shift: int, root: Node, tail: Node) -> Vector[T]:
    vector = _new_object(cls)
    _set_count(vector, count)
    _set_shift(vector, shift)
    _set_root(vector, root)
    _set_tail(vector, tail)
    return vector


_EMPTY: Final[Vector[Any]] = _make(Vector, 0, _BITS, (), ())
