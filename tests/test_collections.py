"""deskstate's own persistent structures behave as the Python collections they model.

Each operation is checked against a plain list, dict or set fed the same operations, and every
older version is checked again at the end: an update never changes a structure already made.
"""

from __future__ import annotations

import gc
import itertools
import pickle
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyrsistent import pvector

from deskstate._hamt import HashMap, HashSet
from deskstate._order import DeskOrder
from deskstate._vector import Vector


def parts(collection: object) -> tuple[object, ...]:
    """What a collection of ours holds in its slots: equal parts, the very same trie nodes."""
    return tuple(getattr(collection, name) for name in vars(type(collection))["__slots__"])


class Colliding:
    """A key whose hash equals that of every other key with the same ``group``."""

    def __init__(self, name: str, group: int) -> None:
        self.name, self.group = name, group

    def __hash__(self) -> int:
        return self.group

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Colliding) and (other.name, other.group) == (self.name, self.group)

    def __repr__(self) -> str:
        return f"Colliding({self.name!r}, {self.group})"


# Hashes that share their low bits (so keys go down the trie) and some that collide outright.
KEYS = st.one_of(
    st.integers(-40, 40),
    st.integers(0, 6).map(lambda n: n << 40),
    st.builds(Colliding, st.sampled_from("abc"), st.sampled_from([1, 33, 1 + (1 << 35), -1])),
    st.text(max_size=2),
)


# --- Vector -------------------------------------------------------------------------------------


@given(st.integers(0, 2_000))
def test_vector_appends_keep_every_version(length: int) -> None:
    """Each append gives the list with one more item; earlier vectors keep their items."""
    versions = [Vector[int]()]
    for item in range(length):
        versions.append(versions[-1].append(item))
    for size, vector in enumerate(versions):
        assert len(vector) == size
        assert list(vector) == list(range(size))
    final = versions[-1]
    for index in range(0, length, 37):
        assert final[index] == index and final[index - length] == index


@given(st.lists(st.integers(), max_size=1_200), st.data())
def test_vector_set_and_slices(items: list[int], data: st.DataObject) -> None:
    """``set`` replaces one item in a copy; slices and negative indices are the list's."""
    vector = Vector(items)
    assert vector == items and list(reversed(vector)) == items[::-1]
    if items:
        index = data.draw(st.integers(-len(items), len(items) - 1))
        changed = vector.set(index, -1)
        expected = list(items)
        expected[index] = -1
        assert list(changed) == expected and list(vector) == items
    start, stop = data.draw(st.integers(-5, 5)), data.draw(st.integers(-5, 5))
    assert list(vector[start:stop]) == items[start:stop]


@given(st.integers(0, 40_000))
def test_a_vector_built_at_once_is_the_one_appends_make(length: int) -> None:
    """``Vector(items)`` builds its trie in one pass: the same parts as appending one by one."""
    appended: Vector[int] = Vector()
    for item in range(length):
        appended = appended.append(item)
    built = Vector(list(range(length)))
    assert parts(built) == parts(appended)
    assert parts(built.append(-1)) == parts(appended.append(-1))


@given(st.integers(0, 2_000), st.lists(st.integers(0, 1_100), max_size=4))
def test_extending_a_vector_is_appending_one_by_one(start: int, lengths: list[int]) -> None:
    """``extend`` gives the very parts that appending the items one by one gives, from any size."""
    extended: Vector[int] = Vector(range(start))
    appended = extended
    for length in lengths:
        before = extended
        extended = extended.extend(range(length))
        for item in range(length):
            appended = appended.append(item)
        assert parts(extended) == parts(appended)
        assert (extended is before) == (length == 0)
    assert list(extended) == list(range(start)) + [i for n in lengths for i in range(n)]


def test_vector_refuses_out_of_range_and_changes() -> None:
    vector = Vector([1, 2, 3])
    with pytest.raises(IndexError, match="out of range: 3"):
        vector[3]
    with pytest.raises(IndexError):
        vector.set(-4, 0)
    with pytest.raises(AttributeError, match="cannot be changed"):
        vector._tail = ()


def test_vector_equality_and_hash() -> None:
    """Equal to any sequence of the same items; hashed as their tuple; round-trips pickle."""
    items = list(range(100))
    vector = Vector(items)
    assert vector == items and vector == tuple(items) and vector == pvector(items)
    assert vector == Vector(items) and vector != Vector(items[:-1]) and vector != items[::-1]
    assert vector != "abc" and Vector("abc") != "abc"
    assert hash(vector) == hash(tuple(items))
    assert pickle.loads(pickle.dumps(vector)) == vector


def test_vector_nodes_are_tuples_a_young_collection_skips() -> None:
    """Every node is a tuple (or the tail): the cyclic collector sees no opaque C trie."""
    vector = Vector(range(5_000))
    stack: list[Any] = [vector._root]
    while stack:
        node = stack.pop()
        assert type(node) is tuple
        stack.extend(child for child in node if type(child) is tuple)
    # A collection visits the vector's slots (count, shift, root, tail) and class, where a
    # pyrsistent PVector of the same items makes it visit every item.
    assert len(gc.get_referents(vector)) <= 5
    assert len(gc.get_referents(pvector(range(5_000)))) >= 5_000


# --- HashMap and HashSet ------------------------------------------------------------------------


@given(st.lists(st.tuples(st.booleans(), KEYS, st.integers(0, 3)), max_size=300))
def test_hash_map_follows_a_dict(operations: list[tuple[bool, object, int]]) -> None:
    """Sets and removes, colliding hashes included, give the dict's contents at every version."""
    versions: list[tuple[HashMap[Any, int], dict[Any, int]]] = [(HashMap(), {})]
    for is_set, key, value in operations:
        mapping, model = versions[-1]
        model = dict(model)
        if is_set:
            mapping = mapping.set(key, value)
            model[key] = value
        elif key in model:
            mapping = mapping.remove(key)
            del model[key]
        else:
            with pytest.raises(KeyError):
                mapping.remove(key)
        versions.append((mapping, model))
    for mapping, model in versions:
        assert len(mapping) == len(model)
        assert dict(mapping.items()) == model
        assert all(mapping[key] == value and key in mapping for key, value in model.items())
    for _, key, _ in operations:
        final, model = versions[-1]
        assert final.get(key) == model.get(key)


@given(st.lists(KEYS, max_size=300))
def test_hash_set_follows_a_set(items: list[object]) -> None:
    """Adding gives the set's members; adding a member twice returns the very same set."""
    members: HashSet[object] = HashSet()
    model: set[object] = set()
    for item in items:
        before = members
        members = members.add(item)
        model.add(item)
        if item in before:
            assert members is before
        assert len(members) == len(model) and item in members
    as_set: object = members  # compared as a Set with a set: equal members, equal sets
    assert set(members) == model and as_set == model
    assert HashSet(items) == cast(object, model)


@given(st.lists(st.tuples(KEYS, st.integers(0, 3)), max_size=300))
def test_maps_and_sets_built_at_once_are_those_additions_make(
    pairs: list[tuple[object, int]],
) -> None:
    """The constructors build a trie in one pass per level: the very nodes ``set``/``add`` make."""
    one_by_one: HashMap[object, int] = HashMap()
    added: HashSet[object] = HashSet()
    for key, value in pairs:
        one_by_one = one_by_one.set(key, value)
        added = added.add(key)
    assert parts(HashMap(pairs)) == parts(one_by_one)
    assert parts(HashMap(dict(pairs))) == parts(one_by_one)
    assert parts(HashSet(key for key, _ in pairs)) == parts(added)


@given(
    st.lists(st.tuples(KEYS, st.integers(0, 3)), max_size=200),
    st.lists(st.tuples(KEYS, st.integers(0, 3)), max_size=200),
)
def test_updates_at_once_are_the_sets_and_adds_one_by_one(
    before: list[tuple[object, int]], changes: list[tuple[object, int]]
) -> None:
    """``update`` merges many keys in one pass: the very nodes ``set``/``add`` one by one make.

    The changes overlap the keys already there (same value, new value) and collide with them;
    the maps and sets updated keep their own nodes.
    """
    mapping, members = HashMap(before), HashSet(key for key, _ in before)
    kept_map, kept_set = parts(mapping), parts(members)
    one_by_one, added = mapping, members
    for key, value in dict(changes).items():
        one_by_one = one_by_one.set(key, value)
        added = added.add(key)
    updated, updated_set = mapping.update(dict(changes)), members.update(k for k, _ in changes)
    assert parts(updated) == parts(one_by_one) and updated == one_by_one
    assert parts(updated_set) == parts(added) and updated_set == added
    assert (updated is mapping) == (one_by_one is mapping)
    assert (updated_set is members) == (added is members)
    assert all(a is b for a, b in zip(parts(mapping), kept_map, strict=True))
    assert all(a is b for a, b in zip(parts(members), kept_set, strict=True))
    assert mapping == dict(before) and set(members) == {key for key, _ in before}


def test_hash_map_set_to_same_value_is_identity() -> None:
    value = object()
    mapping = HashMap({"a": value})
    assert mapping.set("a", value) is mapping
    assert pickle.loads(pickle.dumps(HashMap({"a": 1}))) == {"a": 1}


# --- DeskOrder ----------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 60)), max_size=400))
def test_desk_order_follows_a_list(operations: list[tuple[bool, int]]) -> None:
    """Appends and removes anywhere (through many packings) give the list's order every time."""
    versions: list[tuple[DeskOrder, list[str]]] = [(DeskOrder(), [])]
    for is_append, number in operations:
        order, model = versions[-1]
        cid = f"c{number}"
        if is_append and cid not in model:
            order, model = order.append(cid), [*model, cid]
        elif not is_append and cid in model:
            order, model = order.remove(cid), [other for other in model if other != cid]
        versions.append((order, model))
    for order, model in versions:
        assert list(order) == model and len(order) == len(model) and order == model
        assert hash(order) == hash(tuple(model))
        for position, cid in enumerate(model):
            assert order[position] == cid and order[position - len(model)] == cid
            assert cid in order and order.index(cid) == position
        assert "absent" not in order and order.rank("absent") is None
        ranks = [order.rank(cid) for cid in model]
        assert all(a is not None and b is not None and a < b for a, b in itertools.pairwise(ranks))


def test_desk_order_refuses_repeats_and_absent_ids() -> None:
    order = DeskOrder(["a", "b"])
    with pytest.raises(ValueError, match="'a' is already in the desk order"):
        order.append("a")
    with pytest.raises(ValueError, match="'z' is not in the desk order"):
        order.remove("z")
    with pytest.raises(ValueError, match="each id once, got a twice"):
        DeskOrder(["a", "b", "a"])
    with pytest.raises(IndexError):
        order[2]
    assert order[0:1] == ("a",) and order == ["a", "b"] and order != ["b", "a"]
