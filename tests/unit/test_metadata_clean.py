"""indexer.metadata and indexer.clean on strings."""
from datetime import date

from pathlib import Path

from indexer.clean import clean_scrape, is_time_stamp, normalize, strip_lead
from indexer.enrich import enrich
from indexer.metadata import (date_from_parts, find_outlet, folder_outlet, parse_date_value, parse_dateline,
                              split_title)
from indexer.raw import RawArticle
from indexer.sources import read_path


def test_datelines_with_outlets_and_multiword_places():
    tass = parse_dateline("WASHINGTON, February 28. /TASS/. The White House said")
    assert (tass.place, tass.month, tass.day, tass.outlet) == ("WASHINGTON", 2, 28, "TASS")
    wire = parse_dateline("PORT ALDREN, March 3 (Valley Wire) - The council voted")
    assert (wire.place, wire.outlet) == ("PORT ALDREN", "Valley Wire")
    assert parse_dateline("BAHIA, Feb 26 - Showers continued").place == "BAHIA"
    assert parse_dateline("Just text without a dateline.") is None


def test_datelines_with_a_state_or_province_a_month_in_capitals_or_a_place_in_title_case():
    """31 % of Reuters' stories had a dateline the pattern missed (no place, and no date for an archive
    without metadata): a US or Canadian state after the city, a month in capitals, a city in title case."""
    for text, place, month, day in (("STAMFORD, Conn., March 30 - Combustion Engineering Inc said", "STAMFORD", 3, 30),
                                    ("SIOUX FALLS, S.D., June 1 - Raven Industries", "SIOUX FALLS", 6, 1),
                                    ("VERNON, British Columbia, March 6 - Annual div", "VERNON", 3, 6),
                                    ("BRASILIA, MARCH 6 - Finance Minister", "BRASILIA", 3, 6),
                                    ("Detroit, March 4 - Range Rover of North America", "Detroit", 3, 4)):
        found = parse_dateline(text)
        assert (found.place, found.month, found.day) == (place, month, day), text
    assert parse_dateline("Tuesday, March 4 - the council met") is None  # a day, not a place
    assert parse_dateline("Obama, March 3 was a busy day") is None  # a place in title case comes before a dash


def test_dates_from_metadata_and_inferred_years():
    assert parse_date_value("2024-03-01").date == "2024-03-01"
    assert parse_date_value("1987").precision == "year" and parse_date_value("nonsense") is None
    inferred = date_from_parts(2, 28, None, date(2024, 3, 10))
    assert (inferred.date, inferred.precision) == ("2024-02-28", "day-year-inferred")
    assert date_from_parts(2, 28, None, None).date is None


def test_outlet_from_the_name_given_then_the_url():
    assert find_outlet("text", "Given", None, "https://www.example.org/x") == "Given"
    assert find_outlet("text", None, None, "https://www.example.org/x") == "example.org"


def test_title_split():
    assert split_title("Headline here\n\nBody text follows. More.", None) == ("Headline here", "Body text follows. More.")
    assert split_title("Body only.", "Given title")[0] == "Given title"


def test_scrape_junk_goes_with_a_reason_and_text_stays():
    raw = ("Port strike halts exports\n• 32227 views\nWorkers stopped work on Monday.\nShare this\n"
           "News by theme\nOther story one 27.02.24, 12:39\nThe union said talks continue.")
    cleaned = clean_scrape(raw)
    assert "Workers stopped work on Monday." in cleaned.text and "The union said talks continue." in cleaned.text
    assert "views" not in cleaned.text and "Share this" not in cleaned.text and "Other story" not in cleaned.text
    assert {reason for reason, _ in cleaned.dropped} and all(line for _, line in cleaned.dropped)
    assert normalize("a\u00a0b\u200bc") == "a bc"


def test_time_stamps_and_bylines_on_their_own_lines_leave_the_text():
    lead = strip_lead("14:05, 12.03.2025\n\nBy Jane Doe, Staff writer\n\nThe council voted 7 to 4.\n\nBy the end of it, all agreed.")
    assert lead.text == "The council voted 7 to 4.\n\nBy the end of it, all agreed." and lead.byline == "Jane Doe"
    assert lead.stamps == ["14:05, 12.03.2025"] and [r for r, _ in lead.dropped] == ["time-stamp", "byline"]
    for stamp in ("Updated: March 12, 2025 2:05 pm", "12.03.2025", "Wednesday, 12 March 2025, 14:05 GMT"):
        assert is_time_stamp(stamp), stamp
    for prose in ("In 2019, 40 houses flooded.", "By 2025 the plan had stalled", "March 12, 2025 was a wet day in Kell",
                  "1,842,000", "2/26  2/27", "Feb 87   Jan 87   Feb 86", "02/28/87    01/31/87  02/28/86",
                  "12.03.2025 1504"):  # figures and table rows from Reuters are text
        assert not is_time_stamp(prose) and strip_lead(prose).text == prose, prose
    late = "First line.\nSecond.\nThird.\nFourth.\n14:05, 12.03.2025"
    assert strip_lead(late).text == late  # only the first lines are looked at


def test_an_article_with_a_stamp_line_starts_with_its_words_and_keeps_its_date():
    path = Path(__file__).resolve().parents[2] / "sample_archive" / "scrapes" / "harbor-gazette-flood-barrier.txt"
    (raw,) = list(read_path(path))
    article = enrich(raw)
    assert article.body.startswith("The Port Aldren city council voted") and "14:05" not in article.body
    assert article.date.date == "2025-03-12" and ("time-stamp", "14:05, 12.03.2025") in article.dropped


def test_the_folder_named_gives_the_outlet_when_the_file_names_none():
    named = frozenset({"bbc", "kyivindependent.com", "exports", "sample_archive"})
    assert folder_outlet("bbc/business/001.txt", named) == "bbc"
    assert folder_outlet("kyivindependent.com/a.txt", named) == "kyivindependent.com"
    assert folder_outlet("business/001.txt", named) is None  # a file named on its own: its folder was not named
    assert folder_outlet("exports/feed.jsonl#3", named) is None and folder_outlet("sample_archive/scrapes/x.txt", named) is None
    words = " The bank kept its rate at 4 per cent on Thursday, its governor said, and markets barely moved."
    text = "Rates held\n\nBy Ann Lee\n\n" + words * 3
    article = enrich(RawArticle(source="/x/bbc/business/001.txt", text=text, key="bbc/business/001.txt"), folders=named)
    assert article.outlet == "bbc" and article.author == "Ann Lee" and article.body.startswith("The bank kept")
    assert enrich(RawArticle(source="s", text=text, key="bbc/business/001.txt"), folders=frozenset()).outlet is None
    given = enrich(RawArticle(source="s", text=text, key="bbc/business/001.txt"), outlet="BBC News", folders=named)
    assert given.outlet == "BBC News"  # --outlet before the folder
    said = enrich(RawArticle(source="s", text="Rates held\n\nLONDON, March 3 (Reuters) -" + words * 3,
                             key="bbc/business/002.txt"), outlet="BBC News", folders=named)
    assert said.outlet == "Reuters"  # what the article says of itself beats --outlet and the folder


def test_metadata_that_is_not_text_is_left_out_with_a_warning_and_awkward_ids_become_digests():
    text = ("Harbour workers went on strike on Monday over pay, halting copper exports from the port for a day. "
            "The union said the walkout would continue until the port authority made a new offer.\n\n") * 3
    article = enrich(RawArticle("feed.jsonl#1", text=text, key="feed.jsonl#1",
                                meta={"title": ["Strike", "Day 1"], "outlet": True, "date": {"y": 2024}, "id": "a/b"}))
    assert article.title != "['Strike', 'Day 1']" and article.outlet is None and article.date.date is None
    assert article.warnings == ["title is a list, not text: left out", "outlet is true or false, not text: left out",
                                "date is an object, not text: left out"]
    assert len(article.id) == 24 and "/" not in article.id
    kept = enrich(RawArticle("feed.jsonl#2", text=text, key="feed.jsonl#2", meta={"id": "ask?this#that one"}))
    assert kept.id == "ask?this#that one" and kept.warnings == []
    for awkward in ("..", " ", "x" * 600, "tab\there"):
        assert len(enrich(RawArticle("f#3", text=text, key="f#3", meta={"id": awkward})).id) == 24, awkward
