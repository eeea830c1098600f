"""search_api.query: the one query object, validated before anything runs."""
import pytest

from search_api.errors import BadRequest
from search_api.query import MAX_VALUE_CHARS, Mode, grouped, validated


@pytest.mark.parametrize("params, field", [
    ({"q": "x", "alpha": float("nan")}, "alpha"), ({"q": "x", "size": 1e400}, "size"), ({"q": "x", "size": 0}, "size"),
    ({"q": "x", "to": 0}, "to"), ({"q": "x", "from": "2024-13-45"}, "from"), ({"q": "x", "mode": "telepathy"}, "mode"),
    ({"q": "x", "outlet": ["a" * (MAX_VALUE_CHARS + 1)]}, "outlet"), ({"q": "x", "outlet": ["o"] * 101}, "outlet"),
    ({"q": "x", "story": "s" * 32768}, "story"), ({"q": "x", "colour": "blue"}, "colour"),
])
def test_mistakes_are_400s_that_name_the_field(params, field):
    with pytest.raises(BadRequest) as error:
        validated(params)
    assert error.value.status == 400 and field in error.value.message
    assert all(d["input"] is None or isinstance(d["input"], (str, int)) for d in error.value.detail)  # JSON-safe


def test_dates_lists_and_defaults():
    query = validated({"q": "x", "from": "2024-01-01", "to": "2024-01-31", "outlet": "TASS"})
    assert str(query.from_) == "2024-01-01" and query.outlet == ["TASS"] and query.mode is Mode.hybrid
    with pytest.raises(BadRequest, match="after"):
        validated({"q": "x", "from": "2024-02-01", "to": "2024-01-01"})


def test_no_words_means_keyword_mode():
    assert validated({"q": "", "mode": "semantic"}).mode is Mode.keyword
    assert validated({"q": "", "mode": "semantic", "sort": "date"}).mode is Mode.semantic


def test_query_string_grouping():
    assert grouped([("q", "x"), ("outlet", "A"), ("outlet[]", "B")]) == {"q": "x", "outlet": ["A", "B"]}
    with pytest.raises(BadRequest, match="twice"):
        grouped([("q", "x"), ("q", "y")])
