"""`Anomaly`: its JSON-safe form and reading it back, as results travel between processes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskstate import ANOMALY_KINDS, Anomaly

anomalies = st.builds(
    Anomaly,
    kind=st.sampled_from(ANOMALY_KINDS),
    message=st.text(),
    conversation_id=st.none() | st.text(min_size=1),
    index=st.none() | st.integers(0),
    line=st.none() | st.integers(1),
    source=st.none() | st.text(min_size=1),
)


@given(anomalies)
def test_from_dict_reads_back_to_dict_through_json(anomaly: Anomaly) -> None:
    """`Anomaly.from_dict(to_dict(a)) == a`, even through JSON text."""
    assert Anomaly.from_dict(json.loads(json.dumps(anomaly.to_dict()))) == anomaly


def test_to_dict_names_the_source_only_when_there_is_one() -> None:
    """The form without a source is the one the single-log replay always gave."""
    plain = Anomaly("unknown-event", "m", None, 3, 4)
    assert "source" not in plain.to_dict()
    assert Anomaly("unknown-event", "m", source="a.jsonl").to_dict()["source"] == "a.jsonl"


def test_describe_starts_with_the_source() -> None:
    """A person reads which file, then where in it."""
    anomaly = Anomaly("unknown-event", "not in the catalogue", None, 3, 4, "a.jsonl")
    assert anomaly.describe() == "a.jsonl, record 3, line 4: unknown-event: not in the catalogue"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"kind": "nope", "message": "m"}, "kind must be one of"),
        ({"kind": "unknown-event"}, "message must be a string"),
        ({"kind": "unknown-event", "message": "m", "line": "4"}, "line must be int or null"),
        ({"kind": "unknown-event", "message": "m", "index": True}, "index must be int or null"),
        ({"kind": "unknown-event", "message": "m", "source": 1}, "source must be str or null"),
    ],
)
def test_from_dict_names_the_member_that_is_wrong(data: dict[str, object], words: str) -> None:
    """Bad data raises ValueError naming the member and what was found."""
    with pytest.raises(ValueError, match=words):
        Anomaly.from_dict(data)
