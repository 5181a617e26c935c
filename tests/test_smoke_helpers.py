from helpers import added, fold

from deskstate import query


def test_fold_opens_an_added_conversation() -> None:
    """A conversation added to the empty desk is open."""
    assert query.is_open(fold(added("c1")), "c1")
