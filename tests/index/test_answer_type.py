"""The type of answer a question asks for, and whether a text holds one."""

from index.answer_type import answer_type


def test_how_many_asks_for_a_number_the_question_does_not_hold() -> None:
    """'2' is the question's own number; 'three' is an answer."""
    asks = answer_type("How many games did the 2 teams win?")
    assert asks is not None
    assert asks.holds("They won three games.") and not asks.holds("The 2 teams played.")


def test_when_asks_for_a_date() -> None:
    asks = answer_type("When will the Doobie Brothers play Blossom?")
    assert asks is not None
    assert asks.holds("The show is on July 22.") and not asks.holds("The band plays Blossom.")


def test_may_and_march_are_dates_only_before_a_day_or_a_year() -> None:
    """'may' the verb and 'march' the walk are no dates; 'May 2' and 'March 2020' are."""
    asks = answer_type("When will the band play?")
    assert asks is not None
    assert asks.holds("They play on May 2.") and asks.holds("It was in March 2020.")
    assert not asks.holds("The band may play.") and not asks.holds("They march on.")


def test_who_asks_for_a_name_inside_a_sentence() -> None:
    """A capitalised word opening the sentence is no name; one the question holds no answer."""
    asks = answer_type("Who met Putin?")
    assert asks is not None
    assert asks.holds("Putin met Xi Jinping.") and not asks.holds("Leaders met Putin.")


def test_a_question_naming_no_type_asks_for_none() -> None:
    assert answer_type("What did Denisov say about relations?") is None


def test_a_measure_asked_for_by_its_name_asks_for_a_number() -> None:
    """'What percentage', 'how tall', 'what population' ask for a number as 'how many' does."""
    for question in ("What percentage of voters left?", "How tall is it?", "What population?"):
        asks = answer_type(question)
        assert asks is not None and asks.holds("It is 40.") and not asks.holds("It is high.")
