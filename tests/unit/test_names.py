"""indexer.names and indexer.entities: one name per person."""
from indexer.entities import clean_name
from indexer.names import mapping


def test_short_forms_take_the_one_full_name_the_archive_has():
    table = mapping(["Blair", "Tony Blair", "T. Blair", "Howard", "Michael Howard", "Brown", "Gordon Brown",
                     "Nick Brown", "Kirby", "John Kirby", "During the interview Mr Blair", "N. Brown"])
    assert table == {"Blair": "Tony Blair", "T. Blair": "Tony Blair", "Howard": "Michael Howard",
                     "Kirby": "John Kirby", "N. Brown": "Nick Brown"}  # "Brown" has two: it stays


def test_names_lose_titles_possessives_and_brackets():
    assert clean_name("Mr. Kirby's") == "Kirby" and clean_name("Sen. Marco Rubio (R-Fla.)") == "Marco Rubio"
    assert clean_name("[Jens] Stoltenberg") == "Jens Stoltenberg" and clean_name("volunteer coordinator Femke de Wit") \
        == "volunteer coordinator Femke de Wit"  # roles are split by the parse, not by this
