"""search_api.fuse on ranked lists: no Elasticsearch, no model."""
import pytest

from search_api.fuse import convex, rrf, single

LEGS = {"keyword": [("a", 9.0), ("b", 5.0), ("c", 1.0)], "semantic": [("c", 1.9), ("d", 1.5), ("a", 1.2)]}


def test_rrf_sums_reciprocal_ranks_and_orders_by_them():
    fused = {f.id: f for f in rrf(LEGS, k=60)}
    assert fused["a"].score == pytest.approx(1 / 61 + 1 / 63)
    assert fused["d"].score == pytest.approx(1 / 62)
    assert [f.id for f in rrf(LEGS, k=60)] == ["a", "c", "b", "d"]


def test_rrf_weights_favour_a_leg():
    weighted = [f.id for f in rrf(LEGS, k=1, weights={"semantic": 4.0})]
    assert weighted[0] == "c" and weighted.index("d") < weighted.index("b")
    assert {f.id: f.legs for f in rrf(LEGS)}["b"] == {"keyword": {"rank": 2, "score": 5.0}}


def test_convex_normalises_each_leg_and_weights_them():
    fused = {f.id: f for f in convex(LEGS, alpha=0.5)}
    assert fused["a"].legs["keyword"]["normalised"] == 1.0 and fused["c"].legs["keyword"]["normalised"] == 0.0
    assert fused["a"].score == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)
    assert fused["c"].score == pytest.approx(0.5 * 0.0 + 0.5 * 1.0)
    assert fused["d"].score == pytest.approx(0.5 * (1.5 - 1.2) / (1.9 - 1.2))
    assert [f.id for f in convex(LEGS, alpha=1.0)][:2] == ["c", "d"]


def test_ties_break_by_best_rank_then_id():
    tied = rrf({"keyword": [("x", 1.0), ("y", 1.0)], "semantic": [("y", 1.0), ("x", 1.0)]})
    assert [f.id for f in tied] == ["x", "y"]


def test_single_leg_keeps_its_order_and_scores():
    assert [(f.id, f.score, f.legs["semantic"]["rank"]) for f in single(LEGS["semantic"], "semantic")] == [
        ("c", 1.9, 1), ("d", 1.5, 2), ("a", 1.2, 3)]


def test_convex_with_one_score_per_leg():
    assert convex({"keyword": [("a", 3.0)], "semantic": []}, 0.3)[0].score == pytest.approx(0.7)
