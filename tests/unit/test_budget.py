"""indexer.budget: an input whose cleaning overruns its time budget is rejected, alone."""
import time

import pytest

from indexer.budget import OverBudget, budget
from indexer.process import Options, prepare
from indexer.raw import RawArticle

PAGE = "<html><body><article>" + "".join(f"<p>Day {i}: harbour workers stayed out over pay, halting copper "
                                         f"exports from berth {i}.</p>" for i in range(3000)) + "</article></body></html>"
QUICK = RawArticle("quick.txt", text="Strike\n\n" + "Harbour workers went on strike over pay. " * 5)


def test_the_budget_interrupts_and_is_lifted_afterwards():
    with pytest.raises(OverBudget):
        with budget(0.05):
            time.sleep(1)
    with budget(0.05):
        pass
    time.sleep(0.1)  # no alarm left behind


def test_the_budget_holds_when_the_work_catches_what_it_raises():
    with pytest.raises(OverBudget):
        with budget(0.05):
            try:  # how the cleaning libraries guard their steps
                time.sleep(1)
            except Exception:  # noqa: BLE001
                pass
    with pytest.raises(OverBudget):
        with budget(0.05):
            try:
                time.sleep(1)
            except BaseException:  # noqa: BLE001 - even this does not let the input through
                pass
    reached = []
    with pytest.raises(OverBudget):
        with budget(0.05):
            try:  # the first alarm is lost (Python ignores what a weakref callback raises, for one)
                time.sleep(0.2)
            except BaseException:  # noqa: BLE001
                pass
            reached.append("after the lost alarm")
            time.sleep(2)
            reached.append("the end")  # not reached: the next alarm stops the work
    assert reached == ["after the lost alarm"]


def test_an_input_over_its_budget_is_rejected_and_the_others_go_on():
    slow = RawArticle("slow.html", html=PAGE)
    prepare([QUICK], Options(seconds=0))  # imports and models loaded outside the budget
    started = time.monotonic()
    assert prepare([slow], Options(seconds=0))[0].body  # 0: no limit
    assert time.monotonic() - started > 0.3, "the page is too quick to test the budget with"
    rejected, article = prepare([slow, QUICK], Options(seconds=0.1))
    assert "MORGUE_FILE_SECONDS" in rejected.reason and rejected.source == "slow.html"
    assert article.title == "Strike"
