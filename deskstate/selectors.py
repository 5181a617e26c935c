"""Memoised selectors: data derived from a snapshot, computed once and kept in a bounded cache.

A UI asks for the same derived data at every render (the rows of the conversation list, the unread
badge, the focused visitor's card). :func:`selector` turns a function of a snapshot into a callable
that computes each answer once and hands back the very same object while the answer cannot have
changed, so a UI can call it at every render and compare results with ``is``.

Two ways to say "cannot have changed":

- **By snapshot** (no ``inputs``): one cached result per snapshot *identity* and arguments. The
  key is ``(id(state), args)``, not the snapshot's value: hashing or comparing a whole desk for
  every new snapshot would cost O(its size), where ``id`` costs O(1). A cache entry holds a
  reference to its snapshot, so no other object can take that id while the entry lives. An equal
  but distinct snapshot is a cache miss (computed again, correctly).
- **By inputs** (``inputs=[...]``, the reselect way): each input is called as
  ``input(state, *args, **kwargs)`` and the result function as ``fn(*values)``, once per distinct
  *identity* of the input values. Snapshots share structure (every sub-structure an event does not
  change is the very same object), so a selector whose inputs pick ``state.conversations`` and
  ``state.order`` is not recomputed when a new snapshot only moved the focus. The result function
  sees only the values, so they alone are the key: arguments matter through what the inputs make
  of them. Inputs should return parts of the snapshot (or results of other selectors), never build
  a new object at each call: a fresh tuple or dict has a new identity every time and defeats the
  memoisation (reselect issues #441, #642).

Either way the cache is a least-recently-used map of at most ``maxsize`` entries (default 256).
Each argument tuple has an entry of its own, so a selector asked in turn for several ids hits its
cache for each (a one-entry cache would not: reselect issue #66). An evicted entry is dropped at
once, so a selector keeps at most ``maxsize`` snapshots (or sets of input values) alive: there is
no weak-reference cache whose entries outlive their use (reselect issue #635).

Selectors may be called from several threads: each has a lock around its cache. A result is
computed outside the lock, so two threads missing the same key at once may both compute it; the
first result stored wins and is the one both return. ``recomputations()`` counts every run of the
result function, exactly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Concatenate, Final, Generic, ParamSpec, TypeVar, overload

from deskstate.state import DeskState

__all__ = ["DEFAULT_MAXSIZE", "Selector", "selector"]

#: How many results a selector keeps unless told otherwise.
DEFAULT_MAXSIZE: Final = 256

P = ParamSpec("P")
T = TypeVar("T")

#: Separates positional from keyword arguments in a cache key (as ``functools.lru_cache`` does).
_KEYWORDS: Final = object()


class Selector(Generic[P, T]):
    """A memoised function of a snapshot, made by :func:`selector`.

    Call it as ``sel(state, *args, **kwargs)``. It can be inspected: ``result_function`` is the
    function it memoises, ``inputs`` the input functions (empty when memoised by snapshot),
    ``maxsize`` the bound of its cache; ``recomputations()`` counts the runs of the result
    function since it was made or since ``reset_recomputations()``; ``cache_clear()`` forgets
    every cached result (and releases what the cache held).
    """

    def __init__(
        self,
        result_function: Callable[..., T],
        inputs: tuple[Callable[..., object], ...],
        maxsize: int,
    ) -> None:
        self.result_function: Final = result_function
        self.inputs: Final = inputs
        self.maxsize: Final = maxsize
        self.__name__: str = getattr(result_function, "__name__", type(result_function).__name__)
        self.__qualname__: str = getattr(result_function, "__qualname__", self.__name__)
        self.__module__ = getattr(result_function, "__module__", __name__)
        self.__doc__ = getattr(result_function, "__doc__", None)
        # key -> (what the key's ids belong to, kept alive while the entry lives; the result)
        self._cache: OrderedDict[Hashable, tuple[object, T]] = OrderedDict()
        self._lock = threading.Lock()
        self._recomputations = 0

    def __call__(self, state: DeskState, /, *args: P.args, **kwargs: P.kwargs) -> T:
        """The result for ``state`` and the arguments: cached when it cannot have changed."""
        arguments: tuple[object, ...] = args
        if kwargs:
            arguments = (*args, _KEYWORDS, *kwargs.items())
        values: tuple[object, ...] = ()
        key: Hashable
        inputs = self.inputs
        if inputs:
            try:
                hash(arguments)  # not part of the key, but the contract holds for both forms
            except TypeError as error:
                raise self._unhashable(args, kwargs) from error
            values = tuple([select(state, *args, **kwargs) for select in inputs])
            key = tuple(map(id, values))
            anchor: object = values
        else:
            key = (id(state), arguments)
            anchor = state
        cache = self._cache
        with self._lock:
            try:
                entry = cache.get(key)
            except TypeError as error:
                raise self._unhashable(args, kwargs) from error
            if entry is not None:
                cache.move_to_end(key)
                return entry[1]
        try:
            if inputs:
                result = self.result_function(*values)
            else:
                result = self.result_function(state, *args, **kwargs)
        except BaseException:
            with self._lock:
                self._recomputations += 1  # it ran; nothing is cached, the next call runs it again
            raise
        with self._lock:
            self._recomputations += 1
            entry = cache.get(key)
            if entry is not None:  # another thread stored it meanwhile: one result for everyone
                cache.move_to_end(key)
                return entry[1]
            cache[key] = (anchor, result)
            if len(cache) > self.maxsize:
                cache.popitem(last=False)
        return result

    def recomputations(self) -> int:
        """How many times the result function ran (cache misses, and any race that repeated one)."""
        with self._lock:
            return self._recomputations

    def reset_recomputations(self) -> None:
        """Count recomputations from zero again (the cache is kept)."""
        with self._lock:
            self._recomputations = 0

    def cache_clear(self) -> None:
        """Forget every cached result, releasing the snapshots and values the cache held."""
        with self._lock:
            self._cache.clear()

    def __repr__(self) -> str:
        how = f"inputs={len(self.inputs)}" if self.inputs else "by snapshot"
        return f"<selector {self.__qualname__} ({how}, maxsize={self.maxsize})>"

    def _unhashable(self, args: tuple[object, ...], kwargs: Mapping[str, object]) -> TypeError:
        """The error for arguments that cannot key a cache, naming the first unhashable one."""
        named = [(f"argument {position}", value) for position, value in enumerate(args, start=1)]
        named += [(f"keyword argument {name!r}", value) for name, value in kwargs.items()]
        for label, value in named:
            try:
                hash(value)
            except TypeError as error:
                return TypeError(
                    f"selector {self.__qualname__}: {label} after the snapshot is a "
                    f"{type(value).__name__}, which is unhashable ({error}); selector arguments "
                    "must be hashable: pass a tuple for a list, a frozenset for a set"
                )
        return TypeError(
            f"selector {self.__qualname__}: its arguments could not key its cache; selector "
            "arguments must be hashable"
        )


def _check(maxsize: object, inputs: object) -> tuple[Callable[..., object], ...] | None:
    """Check the options of :func:`selector`; return the inputs as a tuple (``None`` when none)."""
    if isinstance(maxsize, bool) or not isinstance(maxsize, int):
        raise TypeError(
            "selector maxsize must be an int (how many results the cache keeps), "
            f"got {maxsize!r} of type {type(maxsize).__name__}"
        )
    if maxsize < 1:
        raise ValueError(
            f"selector maxsize must be at least 1 (how many results the cache keeps), got {maxsize}"
        )
    if inputs is None:
        return None
    if callable(inputs) or not isinstance(inputs, Sequence) or isinstance(inputs, str):
        raise TypeError(
            "selector inputs must be a sequence of functions of the snapshot "
            f"(inputs=[f] for one), got {type(inputs).__name__}"
        )
    checked = tuple(inputs)
    if not checked:
        raise ValueError(
            "selector inputs must hold at least one function; leave inputs out to memoise the "
            "function by snapshot"
        )
    for position, select in enumerate(checked):
        if not callable(select):
            raise TypeError(
                f"selector inputs[{position}] must be a function of the snapshot, "
                f"got {select!r} of type {type(select).__name__}"
            )
    return checked


@overload
def selector(
    fn: Callable[Concatenate[DeskState, P], T], /, *, maxsize: int = ...
) -> Selector[P, T]: ...
@overload
def selector(
    fn: Callable[..., T], /, *, maxsize: int = ..., inputs: Sequence[Callable[..., object]]
) -> Selector[..., T]: ...
@overload
def selector(
    fn: None = ..., /, *, maxsize: int = ...
) -> Callable[[Callable[Concatenate[DeskState, P], T]], Selector[P, T]]: ...
@overload
def selector(
    fn: None = ..., /, *, maxsize: int = ..., inputs: Sequence[Callable[..., object]]
) -> Callable[[Callable[..., T]], Selector[..., T]]: ...
def selector(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    maxsize: int = DEFAULT_MAXSIZE,
    inputs: Sequence[Callable[..., object]] | None = None,
) -> Selector[..., Any] | Callable[[Callable[..., Any]], Selector[..., Any]]:
    """Memoise a function of a snapshot: ``@selector``, ``@selector(maxsize=N)``, ``selector(fn)``.

    Without ``inputs``, ``fn(state, *args, **kwargs)`` is computed once per snapshot identity and
    arguments (never by value: hashing a whole desk for each new snapshot would cost O(its size)).
    With ``inputs``, each input is called as ``input(state, *args, **kwargs)`` and ``fn`` as
    ``fn(*values)``, once per identity of the values, so a new snapshot that shares what the
    inputs select reuses the result. Inputs may be selectors themselves.

    The cache keeps at most ``maxsize`` results (at least 1), least recently used first out, and
    holds on to nothing it has evicted. Arguments must be hashable (``TypeError`` otherwise); a
    call with keyword arguments has its own entry, apart from the same call with positional ones.
    """
    checked = _check(maxsize, inputs)

    def wrap(function: Callable[..., Any]) -> Selector[..., Any]:
        if not callable(function):
            raise TypeError(
                f"selector() memoises a function, got {function!r} of type "
                f"{type(function).__name__}"
            )
        return Selector(function, checked or (), maxsize)

    if fn is None:
        return wrap
    return wrap(fn)
