"""The two seed articles, end to end through the pure stages: cleaning, metadata, quotes."""

import pytest

from indexer.enrich import enrich
from indexer.sources import read_path

SOVEREIGN = "sovereign decision that every NATO ally would have to make for themselves"


@pytest.fixture(scope="module")
def seeds(shared_dir):
    if shared_dir is None:
        pytest.skip("MORGUE_SHARED is not set")
    folder = shared_dir / "seeds"
    articles = {}
    for path in sorted(folder.iterdir()):
        (raw,) = list(read_path(path))
        article = enrich(raw)
        articles[article.outlet] = article
    assert set(articles) == {"UNN", "TASS"}, articles.keys()
    return articles


def test_unn_cleaned_text_has_no_junk(seeds):
    unn = seeds["UNN"]
    assert unn.title == "US won't send troops to Ukraine, even for non-combat missions - White House spokesman"
    for junk in ("переглядiв", "News by theme", "Network of Russian spies", "Explosions in Odesa",
                 "Kurakhivka", "Oval Office", "НАТО не планує", "27.02.24"):
        assert junk not in unn.body, junk
    # every sentence of the article is still there
    for kept in ("The United States will not send troops", SOVEREIGN, "John Kirby added",
                 "Stéphane Sejourne tried to explain", "would make a direct conflict between NATO and Russia"):
        assert kept in unn.body, kept
    assert {reason for reason, _ in unn.dropped} == {"view-counter", "cross-link", "related-block"}


def test_tass_metadata_from_the_dateline(seeds):
    tass = seeds["TASS"]
    assert tass.outlet == "TASS" and tass.place == "Washington"  # the dateline WASHINGTON, as a name
    assert (tass.date.month, tass.date.day, tass.date.year, tass.date.date) == (2, 28, None, None)
    assert tass.date.precision == "month-day"  # no year was invented
    assert tass.body.startswith("WASHINGTON, February 28. /TASS/. The possible deployment")
    assert 0 < len(tass.title) <= 150 and "/TASS/" not in tass.title
    assert tass.language == "en"


@pytest.mark.parametrize("outlet", ["UNN", "TASS"])
def test_sovereign_decision_quote_is_kirbys(seeds, outlet):
    article = seeds[outlet]
    matches = [q for q in article.quotes if SOVEREIGN in q.text]
    assert len(matches) == 1
    quote = matches[0]
    assert quote.speaker == "John Kirby"
    assert article.body[quote.start:quote.end] == quote.text
    assert "spokesman" in (quote.speaker_role or "").lower()


def test_every_seed_quote_is_attributed(seeds):
    speakers = {o: [q.speaker for q in a.quotes] for o, a in seeds.items()}
    assert speakers["UNN"] == ["John Kirby"] * 3
    assert speakers["TASS"] == ["John Kirby"] * 3 + ["Emmanuel Macron", "Dmitry Peskov"]
    unn_blocks = [q for q in seeds["UNN"].quotes if q.block]
    assert [q.cue for q in unn_blocks] == ["said", "added"]
