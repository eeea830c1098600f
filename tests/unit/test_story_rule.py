"""The same-event rule and the story join, on hand-made evidence (no node, no model)."""
from dataclasses import replace

import numpy as np

from indexer import stories, story_evidence as ev
from web import dates


def _unit(*values):
    v = np.array(values, dtype=np.float32)
    return (v / np.linalg.norm(v)).tolist()


def _doc(doc_id, vector, day=None, names=(), people=("Ostrand",), body=""):
    return {"id": doc_id, "lead_vector": vector, "date": day, "names": list(names), "people": list(people),
            "body": body, "fingerprint": [f"{doc_id}:{i}" for i in range(ev.BANDS)]}


def test_copies_join_whatever_their_dates():
    a = _doc("a", _unit(1, 0), "2025-03-01")
    b = {**_doc("b", _unit(0, 1), "2025-06-01"), "fingerprint": a["fingerprint"]}
    match = ev.decide(ev.evidence(a, b))
    assert match is not None and match.reason == "copy"


def test_same_lead_more_than_a_week_apart_is_another_event():
    a, b = _doc("a", _unit(1, 0), "2025-03-01"), _doc("b", _unit(1, 0.01), "2025-03-09")
    assert ev.evidence(a, b).days == 8 and ev.decide(ev.evidence(a, b)) is None
    c = _doc("c", _unit(1, 0.01), "2025-03-03")
    assert ev.decide(ev.evidence(a, c)).reason == "same event"


def test_undated_pairs_need_stronger_evidence():
    lead = ev.evidence(_doc("a", _unit(1, 0.672)), _doc("b", _unit(1, 0)))  # cosine 0.83
    p = ev.probability(lead)
    dated = replace(lead, days=0)
    assert p < ev.THRESHOLD <= ev.probability(dated)  # enough for a same-day pair, not for an undated one
    assert ev.decide(lead) is None and ev.decide(dated) is not None


def test_one_outlet_needs_more_evidence_than_two():
    # the same lead, same day: two outlets reporting alike are one event; one outlet's two alike pieces
    # (next month's figures, the next market report) need more, e.g. the same words in the titles
    a = {**_doc("a", _unit(1, 0.56), "2025-03-01"), "outlet": "Kell Point Courier", "title": "Council backs bridge"}
    b = {**_doc("b", _unit(1, 0), "2025-03-01"), "outlet": "Harbour Times", "title": "Vote on the crossing"}
    two = ev.evidence(a, b)
    one = ev.evidence(a, {**b, "outlet": "kell point courier"})
    assert (two.outlet, one.outlet, ev.evidence(a, {**b, "outlet": None}).outlet) == (0.0, 1.0, 0.5)
    assert ev.decide(two) is not None and ev.decide(one) is None
    titled = ev.evidence(a, {**b, "outlet": "Kell Point Courier", "title": "Council backs the new bridge"})
    assert titled.titles == 1.0 and ev.decide(titled) is not None


def test_title_words_leave_function_and_formula_words_out():
    assert ev.title_words("Calfed Inc <cal> 3rd Qtr Net") == {"calfed", "cal"}
    assert ev.title_overlap("Calfed Posts Record Third Quarter Results", "Calfed Inc <cal> 3rd Qtr Net") == 0.5
    assert ev.title_overlap("", "Calfed") == 0.0


def test_a_story_is_joined_as_a_whole_not_through_its_nearest_member():
    # a ~ b and b ~ c, but c is unlike a: c does not join the story {a, b} (no chain)
    a = _doc("a", _unit(1, 0, 0), "2025-03-01")
    b = _doc("b", _unit(1, 0.48, 0), "2025-03-01")  # cos(a, b) 0.90
    c = _doc("c", _unit(1, 1.26, 0), "2025-03-02")  # cos(b, c) 0.90, cos(a, c) 0.62
    assert ev.decide(ev.evidence(a, b)) and ev.decide(ev.evidence(b, c)) and not ev.decide(ev.evidence(a, c))
    assert stories.judge(b, [a]) is not None
    assert stories.judge(c, [a, b]) is None


def test_a_story_spans_days_not_months():
    first = _doc("a", _unit(1, 0), "2025-03-01")
    late = _doc("b", _unit(1, 0), "2025-03-20")
    assert stories.judge(late, [first]) is None


def test_date_spans_read_as_a_reader_writes_them():
    assert dates.span("2025-03-02", "2025-03-04") == "2–4 March 2025"
    assert dates.span("2025-02-28", "2025-03-02") == "28 February – 2 March 2025"
    assert dates.span("2025-03-12", "2025-03-12") == "12 March 2025"
    assert dates.span(None, None) == ""
