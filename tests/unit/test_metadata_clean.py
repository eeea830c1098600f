"""indexer.metadata and indexer.clean on strings."""
from datetime import date

from indexer.clean import clean_scrape, normalize
from indexer.metadata import date_from_parts, find_outlet, parse_date_value, parse_dateline, split_title


def test_datelines_with_outlets_and_multiword_places():
    tass = parse_dateline("WASHINGTON, February 28. /TASS/. The White House said")
    assert (tass.place, tass.month, tass.day, tass.outlet) == ("WASHINGTON", 2, 28, "TASS")
    wire = parse_dateline("PORT ALDREN, March 3 (Valley Wire) - The council voted")
    assert (wire.place, wire.outlet) == ("PORT ALDREN", "Valley Wire")
    assert parse_dateline("BAHIA, Feb 26 - Showers continued").place == "BAHIA"
    assert parse_dateline("Just text without a dateline.") is None


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
