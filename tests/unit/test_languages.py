"""Russian and Ukrainian extraction (trucewatch.extract.languages) on sentences written for
these tests: one test or more per kind of error the readers can make."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from trucewatch.extract.languages.detection import detect_language
from trucewatch.extract.languages.dispatch import LanguageDispatch
from trucewatch.extract.languages.lexicon import LexiconError, read_language_lexicon
from trucewatch.extract.languages.morphology import Morphology
from trucewatch.extract.pipeline import Extractor
from trucewatch.models import Document, DocumentReading, Event
from trucewatch.sides import load_profiles

PUBLISHED = dt.date(2021, 3, 6)  # a Saturday


@pytest.fixture(scope="module")
def dispatch() -> LanguageDispatch:
    return LanguageDispatch(load_profiles())


def read(
    dispatch: LanguageDispatch, text: str, published: dt.date | None = PUBLISHED
) -> DocumentReading:
    reading = dispatch.read(Document(id="t", text=text, published=published))
    assert reading is not None, "read as English"
    return reading


def events(
    dispatch: LanguageDispatch, text: str, published: dt.date | None = PUBLISHED
) -> list[Event]:
    return [e for e in read(dispatch, text, published).events if not e.historical]


def only(dispatch: LanguageDispatch, text: str, published: dt.date | None = PUBLISHED) -> Event:
    found = events(dispatch, text, published)
    assert len(found) == 1, [e.model_dump(exclude={"evidence"}) for e in found]
    return found[0]


# -- language detection and dispatch ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Вчера вечером противник дважды обстрелял позиции у села на окраине города.", "ru"),
        ("Учора ввечері противник двічі обстріляв позиції біля села на околиці міста.", "uk"),
        ("Yesterday evening the enemy twice shelled positions near a village.", "en"),
        ("Hier soir, l'ennemi a bombardé deux fois des positions près d'un village.", "fr"),
    ],
)
def test_language_is_detected(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_text_without_letters_has_no_language() -> None:
    assert detect_language("12:40 / 03.05.2021 — 17") is None


def test_english_goes_to_the_english_pipeline(dispatch: LanguageDispatch) -> None:
    doc = Document(id="t", text="Troops fired mortars at a village on Monday.", published=PUBLISHED)
    assert dispatch.read(doc) is None


def test_language_without_a_reader_is_marked_not_extracted(dispatch: LanguageDispatch) -> None:
    text = (
        "Hier soir, l'armée a bombardé deux fois des positions près du village, dit le ministère."
    )
    reading = read(dispatch, text)
    assert (reading.events, reading.extracted, reading.language) == ([], False, "fr")


def test_stored_language_is_trusted_over_detection(dispatch: LanguageDispatch) -> None:
    doc = Document(id="t", text="Вчера противник обстрелял позиции.", language="de")
    reading = dispatch.read(doc)
    assert reading is not None
    assert (reading.extracted, reading.language) == (False, "de")


def test_extractor_dispatches_russian(extractor: Extractor) -> None:
    text = "Минобороны Армении сообщило, что вчера азербайджанские подразделения обстреляли Сотк."
    [event] = extractor.extract(Document(id="t", text=text, published=PUBLISHED))
    assert (event.actor, event.location, event.evidence[0].sentence) == (
        "Azerbaijan",
        "Sotk",
        text,
    )


# -- who did it, to whom, who says so ---------------------------------------------------------


def test_russian_subject_is_the_actor_and_the_speaker_is_named(dispatch: LanguageDispatch) -> None:
    text = (
        "Минобороны Армении сообщило, что азербайджанские подразделения обстреляли Сотк "
        "из минометов."
    )
    event = only(dispatch, text)
    assert (event.actor, event.target, event.source) == ("Azerbaijan", "Armenia", "Armenia")
    assert (event.type, event.weapon, event.stance) == ("shelling", "mortar", "asserts")


def test_side_after_from_the_side_of_is_the_actor(dispatch: LanguageDispatch) -> None:
    text = "Представительство ЛНР в СЦКК сообщило об обстреле Первомайска со стороны ВСУ."
    event = only(dispatch, text)
    assert (event.actor, event.source, event.location) == (
        "Ukraine",
        "Luhansk separatists",
        "Pervomaisk",
    )


def test_enemy_is_the_speakers_rival(dispatch: LanguageDispatch) -> None:
    text = "Штаб ООС повідомляє, що минулої доби противник відкривав вогонь з кулеметів біля Шумів."
    event = only(dispatch, text)
    assert (event.actor, event.target, event.source) == ("Russia", "Ukraine", "Ukraine")
    assert (event.type, event.weapon, event.location) == ("firing", "machine_gun", "Shumy")


def test_militants_are_the_separatists_of_the_region_named(dispatch: LanguageDispatch) -> None:
    text = "На луганському напрямку бойовики обстріляли позиції біля Попасної з мінометів."
    assert only(dispatch, text).actor == "Luhansk separatists"


def test_wounded_soldier_of_a_side_is_not_the_actor(dispatch: LanguageDispatch) -> None:
    text = "Окупанти обстріляли Авдіївку, поранений український військовий."
    event = only(dispatch, text)
    assert (event.actor, event.injured) == ("Russia", 1)


def test_genitive_attribute_is_not_the_actor(dispatch: LanguageDispatch) -> None:
    text = (
        "Вчера обстрелам подверглись позиции у Пісків, говорится в отчете министерства "
        "обороны Украины."
    )
    assert only(dispatch, text).actor is None


# -- places -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Вчера ВСУ обстреляли Горловку.",
        "Учора бойовики обстріляли околиці Горлівки.",
    ],
)
def test_cyrillic_place_names_come_out_in_english(dispatch: LanguageDispatch, text: str) -> None:
    assert only(dispatch, text).location == "Horlivka"


def test_unknown_place_after_a_cue_is_transliterated(dispatch: LanguageDispatch) -> None:
    text = "Вчора противник обстріляв позиції в районі населеного пункту Рясне."
    assert only(dispatch, text).location == "Riasne"


def test_district_adjective_names_the_place(dispatch: LanguageDispatch) -> None:
    text = "Армянские подразделения обстреляли села Тертерского района."
    assert only(dispatch, text).location == "Terter"


# -- counts, numbers and tolls ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("За минувшие сутки украинские силовики пять раз нарушили режим прекращения огня.", 5),
        (
            "За минувшие сутки зафиксировано 14 нарушений режима прекращения огня со стороны ВСУ.",
            14,
        ),
        ("Минулої доби окупанти тричі порушили режим припинення вогню.", 3),
        ("Минулої доби зафіксовано п’ять порушень режиму припинення вогню з боку окупантів.", 5),
    ],
)
def test_tally_counts(dispatch: LanguageDispatch, text: str, count: int) -> None:
    event = only(dispatch, text)
    assert (event.count, event.type) == (count, "ceasefire_violation")


def test_approximate_figure_gives_no_count(dispatch: LanguageDispatch) -> None:
    text = "За минувшие сутки ВСУ более 30 раз нарушили режим прекращения огня."
    assert only(dispatch, text).count is None


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        ("Вчера ВСУ обстреляли Горловку, ранены двое мирных жителей.", None, 2),
        ("Учора ворог обстріляв Авдіївку, загинули троє військових.", 3, None),
        ("Учора ворог обстріляв Авдіївку, поранення отримали трьох військових.", None, 3),
        ("Вчера ВСУ обстреляли Горловку. Пострадавших нет.", 0, 0),
        (
            "Учора ворог обстріляв Авдіївку. Бойових втрат та поранень серед наших воїнів немає.",
            0,
            0,
        ),
        ("Вчера ВСУ обстреляли Горловку. Жертв среди мирного населения нет.", 0, None),
    ],
)
def test_casualties(
    dispatch: LanguageDispatch, text: str, killed: int | None, injured: int | None
) -> None:
    event = only(dispatch, text)
    assert (event.killed, event.injured) == (killed, injured)


def test_wound_incompatible_with_life_is_a_death(dispatch: LanguageDispatch) -> None:
    text = (
        "Учора ворожий снайпер вів вогонь біля Шумів, військовий отримав поранення, "
        "несумісне з життям."
    )
    event = only(dispatch, text)
    assert (event.killed, event.injured, event.weapon) == (1, None, "sniper")


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("За минувшие сутки ВСУ обстреляли Горловку.", dt.date(2021, 3, 5)),
        ("Вчера ВСУ обстреляли Горловку.", dt.date(2021, 3, 5)),
        ("Сегодня ВСУ обстреляли Горловку.", PUBLISHED),
        ("В ночь на 4 марта ВСУ обстреляли Горловку.", dt.date(2021, 3, 4)),
        ("5 марта ВСУ обстреляли Горловку.", dt.date(2021, 3, 5)),
        ("В четверг ВСУ обстреляли Горловку.", dt.date(2021, 3, 4)),
        ("Минулої доби окупанти обстріляли Авдіївку.", dt.date(2021, 3, 5)),
        ("Учора окупанти обстріляли Авдіївку.", dt.date(2021, 3, 5)),
        ("У четвер, 4 березня, окупанти обстріляли Авдіївку.", dt.date(2021, 3, 4)),
        ("5 березня 2021 року окупанти обстріляли Авдіївку.", dt.date(2021, 3, 5)),
    ],
)
def test_dates(dispatch: LanguageDispatch, text: str, day: dt.date) -> None:
    assert only(dispatch, text).date == day


def test_month_day_late_in_the_year_read_in_january_is_last_year(
    dispatch: LanguageDispatch,
) -> None:
    text = "31 декабря ВСУ обстреляли Горловку."
    assert only(dispatch, text, dt.date(2021, 1, 1)).date == dt.date(2020, 12, 31)


def test_undated_act_takes_the_day_the_report_stated_before(dispatch: LanguageDispatch) -> None:
    text = (
        "Протягом минулої доби, 4 березня, окупанти двічі порушили режим припинення вогню.\n"
        "Біля Шумів противник відкривав вогонь з гранатометів."
    )
    days = {e.date for e in events(dispatch, text)}
    assert days == {dt.date(2021, 3, 4)}


def test_old_act_is_background(dispatch: LanguageDispatch) -> None:
    text = "В 2015 году ВСУ обстреляли Горловку из артиллерии."
    reading = read(dispatch, text)
    assert [e.historical for e in reading.events] == [True]


# -- what is not an incident ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "За минувшие сутки нарушений режима прекращения огня не зафиксировано.",
        "Минулої доби на всій лінії розмежування спостерігалася тиша.",
        "Режим прекращения огня соблюдается по всей линии соприкосновения.",
    ],
)
def test_statement_of_none_is_no_event_but_a_zero_period(
    dispatch: LanguageDispatch, text: str
) -> None:
    reading = read(dispatch, text)
    assert reading.events == []
    assert [p.count for p in reading.periods] == [0]


def test_return_fire_of_the_reporting_side_is_no_event(dispatch: LanguageDispatch) -> None:
    text = "На провокації противника наші захисники відкривали вогонь у відповідь."
    assert events(dispatch, text) == []


def test_agreement_is_no_violation(dispatch: LanguageDispatch) -> None:
    text = "Стороны договорились о прекращении огня с полуночи."
    assert events(dispatch, text) == []


# -- denials and retellings -------------------------------------------------------------------


def test_denial(dispatch: LanguageDispatch) -> None:
    text = (
        "Сообщение о том, что подразделения ВС Армении открыли огонь по селу, является "
        "дезинформацией, заявили в Минобороны Армении."
    )
    event = only(dispatch, text)
    assert (event.stance, event.actor, event.source) == ("denies", "Armenia", "Armenia")


def test_retelling_adds_to_the_act_before(dispatch: LanguageDispatch) -> None:
    text = (
        "Вчера ВСУ обстреляли Горловку.\n"
        "В результате обстрела поврежден жилой дом, обстрел велся из гаубиц."
    )
    event = only(dispatch, text)
    assert (event.location, event.weapon, event.type) == ("Horlivka", "artillery", "shelling")


def test_headline_folds_into_the_body(dispatch: LanguageDispatch) -> None:
    text = (
        "ВСУ обстреляли Горловку\n"
        "Вчера украинские силовики обстреляли окраины Горловки из минометов, сообщили в ДНР."
    )
    event = only(dispatch, text)
    assert (event.actor, event.weapon) == ("Ukraine", "mortar")


def test_two_acts_in_one_sentence_are_two_events(dispatch: LanguageDispatch) -> None:
    text = "Вчора окупанти обстріляли Піски, після чого біля Опитного здійснили мінування."
    found = events(dispatch, text)
    assert sorted((e.type, e.location) for e in found) == [
        ("explosive", "Opytne"),
        ("shelling", "Pisky"),
    ]


# -- morphology and lexicon files -------------------------------------------------------------


def test_apostrophe_stays_inside_a_ukrainian_word() -> None:
    tokens = Morphology("uk").tokens("п’ять порушень")
    assert [t.text for t in tokens] == ["п’ять", "порушень"]


def test_numbered_place_keeps_its_number() -> None:
    morph = Morphology("uk")
    [token] = morph.tokens("Золотого-3")
    assert token.lemma.endswith("-3")
    assert morph.lemmas("Золоте-3") == (token.lemma,)


def test_malformed_lexicon_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / "ru.yaml"
    path.write_text("language: ru\ntriggers: {обстрел: bombing}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"ru\.yaml: .*triggers"):
        read_language_lexicon(path, "ru")


# -- later rules: sides seen from the speaker, places of origin, figures that are years --------


def test_where_fire_came_from_is_not_the_place(dispatch: LanguageDispatch) -> None:
    text = (
        "5 марта подразделения вооруженных сил Армении, дислоцированные в Басаркечарском районе, "
        "подвергли обстрелу позиции азербайджанской армии в Кельбаджарском районе."
    )
    event = only(dispatch, text)
    assert (event.actor, event.target, event.location) == ("Armenia", "Azerbaijan", "Kalbajar")


def test_birth_year_is_neither_a_toll_nor_a_date(dispatch: LanguageDispatch) -> None:
    text = "Вчера ВСУ обстреляли Горловку, ранен мирный житель 1971 года рождения."
    event = only(dispatch, text)
    assert (event.injured, event.historical, event.date) == (1, False, dt.date(2021, 3, 5))


def test_violation_of_the_quiet_regime_is_a_violation(dispatch: LanguageDispatch) -> None:
    text = "Від початку поточної доби окупанти один раз порушили режим тиші."
    event = only(dispatch, text)
    assert (event.count, event.date) == (1, PUBLISHED)


def test_enemy_without_a_speaker_is_the_rival_of_the_side_fired_upon(
    dispatch: LanguageDispatch,
) -> None:
    text = (
        "Від початку доби окупанти двічі порушили режим тиші. "
        "Втрат серед українських військовослужбовців немає."
    )
    event = only(dispatch, text)
    assert (event.actor, event.killed, event.injured) == ("Russia", 0, 0)


def test_side_that_came_under_fire_blames_its_rival(dispatch: LanguageDispatch) -> None:
    text = (
        "Минобороны Азербайджана сообщило, что вчера позиции азербайджанской армии в Тертерском "
        "районе подверглись обстрелу из минометов."
    )
    event = only(dispatch, text)
    assert (event.actor, event.target, event.location) == ("Armenia", "Azerbaijan", "Terter")


def test_called_a_lie_is_a_denial_by_the_accused(dispatch: LanguageDispatch) -> None:
    text = "В Минобороны Армении назвали ложью заявление Баку об обстреле азербайджанских позиций."
    event = only(dispatch, text)
    assert (event.stance, event.actor, event.source) == ("denies", "Armenia", "Armenia")


def test_direction_of_the_front_is_no_place(dispatch: LanguageDispatch) -> None:
    text = "Учора на луганському напрямку противник обстріляв наші позиції з мінометів."
    assert only(dispatch, text).location is None


def test_tally_of_one_is_the_act_it_details(dispatch: LanguageDispatch) -> None:
    text = (
        "Минобороны России сообщило, что за минувшие сутки зафиксировано одно нарушение режима "
        "прекращения огня.\n"
        "Подразделения вооруженных сил Азербайджана обстреляли позицию у села Туркеш."
    )
    event = only(dispatch, text)
    assert (event.actor, event.count, event.source) == ("Azerbaijan", 1, "Russia")


def test_one_act_told_at_several_places_is_one_event_per_place(
    dispatch: LanguageDispatch,
) -> None:
    text = (
        "Штаб ООС повідомляє, що минулої доби противник обстрілював наші позиції біля Мар'їнки "
        "з мінометів, поблизу Пісків – з гранатометів, а в районі Шумів – зі стрілецької зброї."
    )
    found = sorted((e.location, e.weapon, e.actor) for e in events(dispatch, text))
    assert found == [
        ("Marinka", "mortar", "Russia"),
        ("Pisky", "grenade_launcher", "Russia"),
        ("Shumy", "small_arms", "Russia"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "За минувшую неделю ВСУ 40 раз нарушили режим прекращения огня.",
        "За минулий тиждень окупанти 35 разів порушили режим припинення вогню.",
    ],
)
def test_tally_over_a_week_is_background(dispatch: LanguageDispatch, text: str) -> None:
    assert [e.historical for e in read(dispatch, text).events] == [True]


def test_second_clause_keeps_the_subject_of_the_first(dispatch: LanguageDispatch) -> None:
    text = (
        "Учора окупанти обстріляли Піски, а поблизу Опитного здійснили дистанційне мінування "
        "перед нашими позиціями, повідомляє штаб ООС."
    )
    found = sorted((e.location, e.actor, e.type) for e in events(dispatch, text))
    assert found == [("Opytne", "Russia", "explosive"), ("Pisky", "Russia", "shelling")]


def test_lead_without_an_actor_under_a_headline_sums_up_the_body(
    dispatch: LanguageDispatch,
) -> None:
    text = (
        "Бои на границе\n"
        "Минобороны Азербайджана сообщило о возобновлении боев в Товузском районе.\n"
        "«Подразделения ВС Армении вчера атаковали позиции азербайджанской армии в Товузском "
        "районе», — говорится в сообщении."
    )
    event = only(dispatch, text)
    assert (event.type, event.actor, event.location) == ("armed_clash", "Armenia", "Tovuz")
