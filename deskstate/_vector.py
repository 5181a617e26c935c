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

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, Generic, NoReturn, TypeVar, overload

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


class Vector(Sequence[T], Generic[T]):
    """An immutable sequence: ``append`` and ``set`` return a new vector and leave this one as is.

    It compares equal to any sequence of equal items in the same order (a list, a tuple, a
    ``pyrsistent.PVector``), and hashes as the tuple of its items.
    """

    __slots__ = ("_count", "_root", "_shift", "_tail")

    _count: int
    _shift: int
    _root: Node
    _tail: Node

    def __new__(cls, items: Iterable[T] = ()) -> Vector[T]:
        vector: Vector[T] = _EMPTY if cls is Vector else cls._make(0, _BITS, (), ())
        for item in items:
            vector = vector.append(item)
        return vector

    @classmethod
    def _make(cls, count: int, shift: int, root: Node, tail: Node) -> Vector[T]:
        vector = object.__new__(cls)
        set_member = object.__setattr__
        set_member(vector, "_count", count)
        set_member(vector, "_shift", shift)
        set_member(vector, "_root", root)
        set_member(vector, "_tail", tail)
        return vector

    def append(self, item: T) -> Vector[T]:
        """A vector like this one with ``item`` added at the end."""
        count, tail = self._count, self._tail
        if len(tail) < _WIDTH:
            return self._make(count + 1, self._shift, self._root, (*tail, item))
        # The tail is full: it becomes leaf number count // 32 of the trie.
        shift, root = self._shift, self._root
        leaf_start = count - _WIDTH
        if (leaf_start >> _BITS) >= (1 << shift):  # the trie is full: grow a level
            root = (root, _new_path(shift, tail))
            shift += _BITS
        else:
            root = _push_leaf(leaf_start, shift, root, tail)
        return self._make(count + 1, shift, root, (item,))

    def set(self, index: int, item: T) -> Vector[T]:
        """A vector like this one with the item at ``index`` replaced by ``item``."""
        index = self._checked(index)
        start = self._count - len(self._tail)
        if index >= start:
            tail = self._tail
            offset = index - start
            return self._make(
                self._count, self._shift, self._root, (*tail[:offset], item, *tail[offset + 1 :])
            )
        root = _set_in(self._shift, self._root, index, item)
        return self._make(self._count, self._shift, root, self._tail)

    def _checked(self, index: int) -> int:
        count = self._count
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(f"vector index out of range: {index} (length {count})")
        return index

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Vector[T]: ...
    def __getitem__(self, index: int | slice) -> T | Vector[T]:
        if isinstance(index, slice):
            return Vector(tuple(self)[index])
        index = self._checked(index)
        start = self._count - len(self._tail)
        if index >= start:
            item: T = self._tail[index - start]
            return item
        node = self._root
        level = self._shift
        while level:
            node = node[(index >> level) & _MASK]
            level -= _BITS
        found: T = node[index & _MASK]
        return found

    def __iter__(self) -> Iterator[T]:
        if self._root:
            for leaf in _leaves(self._shift, self._root):
                yield from leaf
        yield from self._tail

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Vector):
            if self._root is other._root and self._tail is other._tail:
                return True
            return self._count == other._count and all(
                mine is theirs or mine == theirs for mine, theirs in zip(self, other, strict=True)
            )
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(other) == self._count and all(
                mine == theirs for mine, theirs in zip(self, other, strict=True)
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Vector({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Vector, (tuple(self),))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"a Vector cannot be changed (tried to set {name!r})")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"a Vector cannot be changed (tried to delete {name!r})")


_EMPTY: Final[Vector[Any]] = Vector._make(0, _BITS, (), ())
