"""The error classes that broke extraction on real monitor reports, each on sentences written for
these tests: unrealised acts, one claim told twice, denials, numbers in the wrong role,
background, claimants, actors outside the profiles, and observer-mission tallies."""

from __future__ import annotations

import datetime as dt

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.models import Document, Event

PUBLISHED = dt.date(2023, 4, 14)  # a Friday


def run(extractor: Extractor, text: str, published: dt.date | None = PUBLISHED) -> list[Event]:
    return extractor.extract(Document(id="t", text=text, published=published))


def current(events: list[Event]) -> list[Event]:
    return [e for e in events if e.is_violation and not e.historical]


def dump(events: list[Event]) -> list[dict[str, object]]:
    return [e.model_dump(exclude={"evidence", "confidence"}) for e in events]


# -- 1. negated, modal and hypothetical acts ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The brigade commander said his units did not return fire during the night.",
        "The general staff said the army will respond firmly to any provocation near Kherson.",
        "Both battalions refrained from using heavy weapons near the reservoir, the mission noted.",
        "The rebel spokesman threatened to shell the district centre if the convoy moved on.",
        "The two delegations agreed to halt all offensive operations along the river from Monday.",
        "Local elders called for an end to the shelling of their farms, the governor said.",
        "If the attacks on the pumping station continue, the talks will collapse, the envoy said.",
    ],
)
def test_unrealised_acts_are_not_violations(extractor: Extractor, text: str) -> None:
    events = run(extractor, text)
    assert current(events) == [], dump(events)


def test_an_act_named_only_as_the_reason_for_another_is_not_a_second_act(
    extractor: Extractor,
) -> None:
    text = (
        "The border guard service said its patrol opened fire near Ostrivka on Thursday in "
        "response to the shelling of the checkpoint."
    )
    events = current(run(extractor, text))
    assert len(events) == 1, dump(events)
    assert events[0].type == "firing"


def test_a_real_act_beside_an_intention_is_kept(extractor: Extractor) -> None:
    text = (
        "The defence ministry said enemy troops shelled Ostrivka with mortars on Thursday and "
        "threatened to storm the village."
    )
    events = current(run(extractor, text))
    assert len(events) == 1, dump(events)
    assert events[0].type == "shelling"


# -- 7. actors outside the bundled profiles ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("NAS fighters attacked an army base near Yei on Tuesday, the army spokesman said.", "NAS"),
        ("Haftar’s forces shelled homes south of Tripoli on Thursday, the government said.", "LNA"),
        ("The ADF ambushed a convoy near Beni on Wednesday, killing five soldiers.", "ADF"),
        ("M23 rebels seized the town of Kitshanga on Thursday, local officials said.", "M23"),
        (
            "Afghan security personnel clashed with Pakistani border guards at Torkham on Monday.",
            "Afghanistan",
        ),
    ],
)
def test_groups_without_a_profile_are_named_as_actor(
    extractor: Extractor, text: str, actor: str
) -> None:
    events = current(run(extractor, text))
    assert [e.actor for e in events] == [actor], dump(events)


def test_a_person_is_not_taken_for_a_group(extractor: Extractor) -> None:
    events = current(run(extractor, "John Smith attacked a checkpoint near Yei on Tuesday."))
    assert all(e.actor is None for e in events), dump(events)


# -- 8. observer-mission reports ----------------------------------------------------------------

MISSION_REPORT = """\
Latest from the Special Monitoring Mission to Ukraine, as of 19:30 on 13 April 2023
In Donetsk region, the Mission recorded 212 ceasefire violations, including 64 explosions, \
compared with the previous reporting period (171 ceasefire violations).
The majority of ceasefire violations were recorded at easterly directions of Pisky \
(government-controlled, 11km north-west of Donetsk).
In Luhansk region, the SMM recorded fewer ceasefire violations, including 12 explosions.
A man was injured by shelling in Zolote.
"""


def test_mission_tallies_one_per_area_from_the_mission(extractor: Extractor) -> None:
    events = current(run(extractor, MISSION_REPORT))
    tallies = [e for e in events if e.type == "ceasefire_violation"]
    assert len(tallies) == 2, dump(events)  # Donetsk and Luhansk; "the majority" is a part
    assert {e.source for e in tallies} == {"OSCE"}
    assert all(e.actor is None and e.stance == "neutral" for e in tallies)
    donetsk = next(e for e in tallies if e.location and "Donetsk" in e.location)
    assert donetsk.count == 212  # not the previous period's 171


def test_explosions_heard_by_monitors_are_not_ied_attacks(extractor: Extractor) -> None:
    events = current(run(extractor, MISSION_REPORT))
    assert all(e.type != "explosive" for e in events), dump(events)


def test_a_shelling_with_its_own_toll_is_not_folded_into_the_area_tally(
    extractor: Extractor,
) -> None:
    events = current(run(extractor, MISSION_REPORT))
    shelling = [e for e in events if e.type == "shelling"]
    assert len(shelling) == 1, dump(events)
    assert shelling[0].injured == 1
    assert shelling[0].location == "Zolote"


def test_a_place_given_only_as_a_reference_point_is_not_the_place(extractor: Extractor) -> None:
    text = (
        "The Mission recorded two explosions near Pisky (government-controlled, 11km north-west "
        "of Donetsk) on 12 April."
    )
    events = current(run(extractor, text))
    assert [e.location for e in events] == ["Pisky"], dump(events)


# -- 4. numbers in the wrong role -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        (
            "On April 12 a soldier was killed when enemy forces shelled Sotk, the ministry said.",
            1,
            None,
        ),
        (
            "A number of servicemen were wounded when Russian forces shelled Avdiivka on Thursday.",
            None,
            None,
        ),
        (
            "date 2023-04-13 Two soldiers were killed on Thursday as Pakistani troops fired in Uri",
            2,
            None,
        ),
        (
            "Pakistani troops fired mortars at posts in Poonch on Thursday, wounding a soldier.",
            None,
            1,
        ),
        (
            "At 10:40 on Thursday Azerbaijani forces opened fire near Tegh, killing 2 soldiers.",
            2,
            None,
        ),
        ("Several civilians were injured when 82-mm mortars hit Vuhledar on Thursday.", None, None),
        (
            "An unknown number of soldiers were killed when Armenian forces fired near Kalbajar.",
            None,
            None,
        ),
    ],
)
def test_tolls_come_from_the_phrase_that_governs_them(
    extractor: Extractor, text: str, killed: int | None, injured: int | None
) -> None:
    events = current(run(extractor, text))
    assert [(e.killed, e.injured) for e in events] == [(killed, injured)], dump(events)


# -- 5. background, both ways ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Earlier today, the Armenian defence ministry said Azerbaijani forces fired on Tegh.",
        "Earlier, the Armenian defence ministry said Azerbaijani forces shelled Tegh on Thursday.",
        "Azerbaijani forces earlier in the day opened fire on Armenian positions near Sotk.",
    ],
)
def test_earlier_today_is_current(extractor: Extractor, text: str) -> None:
    events = current(run(extractor, text))
    assert len(events) == 1, dump(run(extractor, text))


@pytest.mark.parametrize(
    "text",
    [
        "Azerbaijani forces had earlier shelled Sotk in 2021, the ministry recalled.",
        "During the 2020 war, Azerbaijani drones struck Stepanakert almost daily.",
        "Earlier, the border post near Tegh was shelled by Azerbaijani forces.",
        "Armed clashes erupted on January 20 between Armenian and Azerbaijani troops near Sotk.",
    ],
)
def test_recaps_are_background(extractor: Extractor, text: str) -> None:
    events = run(extractor, text)
    assert current(events) == [], dump(events)


def test_previous_period_figure_is_not_the_count(extractor: Extractor) -> None:
    text = (
        "The ministry said Azerbaijani forces violated the ceasefire 45 times on Thursday, "
        "compared with 212 violations the day before."
    )
    events = current(run(extractor, text))
    assert [e.count for e in events] == [45], dump(events)


# -- victims and doers in headlines -------------------------------------------------------------


def test_the_victims_side_is_the_target_in_a_headline(extractor: Extractor) -> None:
    events = current(run(extractor, "Armenian soldier killed in Azeri firing"))
    assert [(e.actor, e.target) for e in events] == [("Azerbaijan", "Armenia")], dump(events)


# -- 3. denials ---------------------------------------------------------------------------------

CLAIM = "The Armenian Defence Ministry said Azerbaijani forces shelled Tegh on Thursday. "


@pytest.mark.parametrize(
    "denial",
    [
        "The Azerbaijani Defence Ministry categorically denied the claim.",
        "Baku said this is an absolute lie.",
        "Azerbaijan rejected the accusation.",
        "The Azerbaijani Defence Ministry called the report disinformation.",
        '"The Azerbaijani army did not violate the ceasefire," the ministry in Baku said.',
    ],
)
def test_a_denial_is_attached_to_the_accused(extractor: Extractor, denial: str) -> None:
    events = current(run(extractor, CLAIM + denial))
    denying = [e for e in events if e.stance == "denies"]
    assert len(denying) == 1, dump(events)
    assert denying[0].actor == "Azerbaijan"
    assert denying[0].source == "Azerbaijan"


def test_a_denial_inside_a_report_of_the_claim(extractor: Extractor) -> None:
    text = (
        "The Azerbaijani Defence Ministry categorically denied Armenian reports that its forces "
        "had shelled Tegh."
    )
    events = current(run(extractor, text))
    assert [(e.stance, e.actor) for e in events if e.stance == "denies"] == [
        ("denies", "Azerbaijan")
    ], dump(events)


def test_the_denial_phrase_is_not_an_act(extractor: Extractor) -> None:
    text = CLAIM + "Baku said the report is nothing but a deliberate provocation."
    events = current(run(extractor, text))
    assert sorted(e.stance for e in events) == ["asserts", "denies"], dump(events)


# -- 6. claimant ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "Ukrinform said, citing the JFO press center, that Russian forces shelled Pisky.",
            "Ukraine",
        ),
        (
            "Russian forces shelled Avdiivka on Thursday, the General Staff of Ukraine said.",
            "Ukraine",
        ),
        ("Indian troops opened fire on civilians in Kotli on Thursday, the ISPR said.", "Pakistan"),
        (
            "Indian troops fired on posts in Kotli on Thursday, the army's media wing said.",
            "Pakistan",
        ),
        (
            "Israeli forces fired at a UNIFIL patrol near Naqoura on Thursday, the mission said.",
            "UNIFIL",
        ),
        ("Azerbaijani forces shelled Tegh on Thursday, a Chinese news agency reported.", "media"),
    ],
)
def test_the_claimant_is_the_body_an_outlet_relays(
    extractor: Extractor, text: str, source: str
) -> None:
    events = current(run(extractor, text))
    assert [e.source for e in events] == [source], dump(events)


def test_a_relayed_statement_keeps_its_claimant_in_unattributed_sentences(
    extractor: Extractor,
) -> None:
    text = (
        "Pakistani troops shelled Indian posts in Poonch on Thursday, a defence spokesman in "
        "Jammu said. The Indian Army said it retaliated. On Wednesday, Pakistani troops fired "
        "mortars at posts in Rajouri. On Tuesday, Pakistani troops fired on posts in Uri. "
        "The Indian Army said the posts suffered no damage."
    )
    events = current(run(extractor, text))
    assert {e.source for e in events} == {"India"}, dump(events)


# -- 2. one claim told over several sentences ----------------------------------------------------


def test_a_sentence_going_on_about_the_acts_keeps_their_actor(extractor: Extractor) -> None:
    text = (
        "Health officials said nine people were killed in three Israeli air strikes in Gaza on "
        "Thursday. Medics said five of them died in Jabalia and the rest in two separate strikes "
        "in Rafah."
    )
    events = current(run(extractor, text))
    assert events, dump(run(extractor, text))
    assert {e.actor for e in events} == {"Israel"}, dump(events)


def test_a_position_that_was_hit_is_an_act(extractor: Extractor) -> None:
    text = "A UNIFIL position near Kfarchouba was directly hit on Thursday, the mission said."
    events = current(run(extractor, text))
    assert len(events) == 1, dump(run(extractor, text))


def test_there_was_no_firing_is_a_denial(extractor: Extractor) -> None:
    text = (
        "Asked about reports of firing by Pakistani troops on Indian posts in Poonch, the Indian "
        "army spokesman said there was no firing."
    )
    events = current(run(extractor, text))
    assert [(e.stance, e.actor) for e in events if e.stance == "denies"] == [
        ("denies", "Pakistan")
    ], dump(events)


def test_one_strike_told_in_other_words_is_one_claim(extractor: Extractor) -> None:
    text = (
        "Russian forces shelled a school in Avdiivka on Thursday, the regional governor said.\n"
        "Russian troops fired on the school in Avdiivka with artillery on Thursday, he added.\n"
        "Two teachers received blast injuries when Russian shells hit the school on Thursday."
    )
    events = current(run(extractor, text))
    assert [(e.type, e.actor) for e in events] == [("shelling", "Russia")], dump(events)


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        (
            "The army shelled rebel positions near Kidal in Mali on Thursday, officials said.",
            "Mali",
        ),
        (
            "Fighters of the Karen National Union said regime troops shelled their positions in "
            "Myanmar's Kayin State on Thursday.",
            "Myanmar",
        ),
    ],
)
def test_a_states_forces_named_without_the_state(
    extractor: Extractor, text: str, actor: str
) -> None:
    events = current(run(extractor, text))
    assert [e.actor for e in events] == [actor], dump(events)


def test_an_alias_inside_a_longer_name_is_not_that_group(extractor: Extractor) -> None:
    text = (
        "The Ta'ang National Liberation Army said on Thursday that it shelled an army base near "
        "Namhsan in Myanmar."
    )
    events = run(extractor, text)
    assert all("ELN" not in (e.actor, e.source, e.target) for e in events), dump(events)


def test_a_two_sided_exchange_blames_no_one(extractor: Extractor) -> None:
    events = current(
        run(extractor, "Indian and Pakistani troops exchanged fire in Uri on Thursday.")
    )
    assert [(e.actor, e.stance) for e in events] == [(None, "neutral")], dump(events)


@pytest.mark.parametrize(
    "text",
    [
        "The group warned that rocket attacks on the border towns would increase in intensity.",
        "Officials toured the liberated areas north of the river on Thursday.",
    ],
)
def test_future_subjects_and_adjectives_are_no_acts(extractor: Extractor, text: str) -> None:
    events = run(extractor, text)
    assert current(events) == [], dump(events)
