"""The fast map updates build exactly the maps pyrsistent's own would."""

from __future__ import annotations

from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st
from pyrsistent import PMap, pmap

from deskstate._persistent import map_set

KEYS = st.one_of(st.text(max_size=3), st.integers(-50, 50))
OPERATIONS = st.lists(st.tuples(KEYS, st.integers(0, 3)), max_size=200)


class Colliding:
    """A key whose hash collides with every other's, so buckets hold several entries."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __hash__(self) -> int:
        return 7

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Colliding) and other.name == self.name


def same(fast: PMap[object, object], slow: PMap[object, object]) -> None:
    """Equal, equally hashed, same length and items, and still usable by pyrsistent's own API."""
    assert fast == slow and hash(fast) == hash(slow)
    assert len(fast) == len(slow) and dict(fast.items()) == dict(slow.items())
    assert fast.set("probe", 1) == slow.set("probe", 1)
    assert all(fast[key] == value for key, value in slow.items())
    # Laid out as pyrsistent lays it out (so it grows when pyrsistent's would).
    assert len(cast(Any, fast)._buckets) == len(cast(Any, slow)._buckets)


@given(OPERATIONS)
def test_map_set_equals_pmap_set_at_every_step(operations: list[tuple[object, int]]) -> None:
    """Any sequence of sets, through growth and reallocation, gives pyrsistent's map each time."""
    fast: PMap[object, object] = pmap()
    slow: PMap[object, object] = pmap()
    for key, value in operations:
        before, held = fast, dict(fast.items())
        fast, slow = map_set(fast, key, value), slow.set(key, value)
        same(fast, slow)
        assert dict(before.items()) == held  # the old map is untouched


def test_setting_the_very_same_value_returns_the_very_same_map() -> None:
    """Setting a key to the object it already holds changes nothing, and says so by identity."""
    value = object()
    mapping = pmap({"a": value, "b": 2})
    assert map_set(mapping, "a", value) is mapping


def test_colliding_keys_share_a_bucket_and_keep_their_values() -> None:
    """Keys in one bucket: replacing one leaves the others alone; new ones join the bucket."""
    keys = [Colliding(name) for name in "abcdef"]
    fast: PMap[object, object] = pmap()
    slow: PMap[object, object] = pmap()
    for position, key in enumerate(keys):
        fast, slow = map_set(fast, key, position), slow.set(key, position)
    fast, slow = map_set(fast, keys[2], "new"), slow.set(keys[2], "new")
    same(fast, slow)
    assert fast[keys[2]] == "new" and fast[keys[3]] == 3
