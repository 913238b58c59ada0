"""``widget.memo.Memo``: results by key, bounded, least recently used evicted first; and
the memos built on it stay within their bounds."""

from __future__ import annotations

import pytest

from widget.documents import events_index, structured_data, upcoming_view
from widget.memo import Memo
from widget.rendering import FRAGMENTS, Renderer


def test_makes_once_per_key() -> None:
    """A key's result is made once and then returned as is."""
    memo: Memo[list[int]] = Memo(4)
    made: list[str] = []

    def make(key: str) -> list[int]:
        made.append(key)
        return [len(made)]

    first = memo.get("a", lambda: make("a"))
    assert memo.get("a", lambda: make("a")) is first
    assert memo.get("b", lambda: make("b")) == [2]
    assert made == ["a", "b"]


def test_bounded_least_recently_used_out() -> None:
    """Past ``size`` keys the least recently used is evicted (and made again if asked)."""
    memo: Memo[str] = Memo(3)
    for key in "abc":
        memo.get(key, lambda key=key: key.upper())
    memo.get("a", lambda: "not made")  # a is now the most recent
    memo.get("d", lambda: "D")
    assert len(memo) == 3
    assert memo.get("a", lambda: "made again") == "A"
    assert memo.get("b", lambda: "made again") == "made again"  # b was the oldest
    memo.clear()
    assert len(memo) == 0


def test_a_size_below_one_is_refused() -> None:
    """A memo that could hold nothing is a mistake."""
    with pytest.raises(ValueError, match="at least 1 entry, not 0"):
        Memo(0)


@pytest.mark.parametrize(
    ("memo", "bound"),
    [
        (events_index._ENTRIES, events_index.ENTRIES),
        (events_index._LISTINGS, 8),
        (upcoming_view._ITEMS, upcoming_view.ITEMS),
        (upcoming_view._FALLBACKS, 8),
        (structured_data._NODES, structured_data.NODES),
    ],
)
def test_the_documents_memos_are_bounded(memo: Memo[object], bound: int) -> None:
    """Every memo of the document builders has a bound."""
    assert memo.size == bound


def test_rendered_fragments_are_bounded() -> None:
    """A renderer keeps at most ``FRAGMENTS`` rendered fragments, however many keys come."""
    from widget.assets import Assets

    renderer = Renderer(Assets(), "https://widget.example.org")
    env = renderer.environment("en")
    macro = env.from_string("{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}").module.m  # type: ignore[attr-defined]
    for number in range(FRAGMENTS + 10):
        assert renderer.fragment("en", number, macro, f"<{number}>") == f"<b>&lt;{number}&gt;</b>"
    assert len(renderer.fragments) == FRAGMENTS
    assert renderer.fragment("nl", None, macro, "x") == "<b>x</b>"  # no key: not kept
    assert len(renderer.fragments) == FRAGMENTS
