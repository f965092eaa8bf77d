"""Tests for trucewatch.sides: profiles, the country lexicon and the side resolver."""

from __future__ import annotations

import datetime
import pathlib
import pickle

import pytest

from trucewatch.sides import (
    Profile,
    ProfileError,
    SideMention,
    SideResolver,
    load_countries,
    load_profiles,
)

PROFILE_IDS = {"armenia-azerbaijan", "russia-ukraine", "india-pakistan", "israel-gaza-lebanon"}


@pytest.fixture(scope="module")
def resolver() -> SideResolver:
    return SideResolver()


def profile(pid: str) -> Profile:
    return next(p for p in load_profiles() if p.id == pid)


def sides_of(mentions: list[SideMention]) -> list[tuple[str, str, str]]:
    return [(m.text, m.side, m.kind) for m in mentions]


# --------------------------------------------------------------------------- loading


def test_packaged_profiles_load_and_validate() -> None:
    profiles = load_profiles()
    assert {p.id for p in profiles} == PROFILE_IDS
    assert load_profiles() is profiles  # the default call is cached
    for p in profiles:
        assert p.title
        assert p.keywords
        assert p.sides
        assert p.places
        assert p.ceasefires
        for place in p.places:
            assert -90 <= place.lat <= 90
            assert -180 <= place.lon <= 180
            assert place.kind in {"settlement", "district", "region", "area"}
            assert place.side is None or place.side in p.sides
        for cf in p.ceasefires:
            assert set(cf.parties) <= set(p.sides)
            assert cf.end is None or cf.end >= cf.start


def test_profile_facts() -> None:
    aa = profile("armenia-azerbaijan")
    assert {"Azerbaijan", "Armenia", "Nagorno-Karabakh"} <= set(aa.sides)
    trilateral = next(c for c in aa.ceasefires if "10 November 2020" in c.name)
    assert trilateral.start == datetime.date(2020, 11, 10)
    assert trilateral.monitor is not None
    assert "Russian peacekeep" in trilateral.monitor
    ru = profile("russia-ukraine")
    assert {"Ukraine", "Russia", "Donetsk separatists", "Luhansk separatists"} <= set(ru.sides)
    starts = {c.start for c in ru.ceasefires}
    assert {datetime.date(2015, 2, 15), datetime.date(2020, 7, 27)} <= starts
    ip = profile("india-pakistan")
    assert datetime.date(2021, 2, 25) in {c.start for c in ip.ceasefires}
    il = profile("israel-gaza-lebanon")
    assert {"Israel", "Hamas", "Hezbollah", "Palestinian Islamic Jihad", "Palestinians"} <= set(
        il.sides
    )
    assert {datetime.date(2024, 11, 27), datetime.date(2025, 10, 10)} <= {
        c.start for c in il.ceasefires
    }


def test_country_lexicon_is_broad() -> None:
    countries = load_countries()
    names = {c.name for c in countries}
    assert len(countries) >= 120
    assert {"Azerbaijan", "United States", "DR Congo", "Myanmar", "Sudan", "Thailand"} <= names
    assert len(names) == len(countries)


# --------------------------------------------------------------------------- aliases


@pytest.mark.parametrize(
    ("mention", "side"),
    [
        # Armenia - Azerbaijan / Nagorno-Karabakh
        ("the Azerbaijani armed forces", "Azerbaijan"),
        ("Defense Army units", "Nagorno-Karabakh"),
        ("the Defence Army", "Nagorno-Karabakh"),
        ("Karabakh armed formations", "Nagorno-Karabakh"),
        ("armed formations of Nagorno-Karabakh", "Nagorno-Karabakh"),
        ("NKR", "Nagorno-Karabakh"),
        ("Nagorno Karabakh", "Nagorno-Karabakh"),
        ("Karabakh", "Nagorno-Karabakh"),
        ("Russian peacekeepers", "Russia"),
        ("the Armenian side", "Armenia"),
        # Russia - Ukraine
        ("Russian-occupation forces", "Russia"),
        ("Russian occupiers", "Russia"),
        ("armed formations of the Russian Federation", "Russia"),
        ("ZSU", "Ukraine"),
        ("the JFO press service", "Ukraine"),
        ("Joint Forces Operation", "Ukraine"),
        ("DPR People's Militia", "Donetsk separatists"),
        ("the Donetsk People’s Republic", "Donetsk separatists"),
        ("Lugansk People's Republic", "Luhansk separatists"),
        ("LPR", "Luhansk separatists"),
        ("the OSCE Special Monitoring Mission", "OSCE"),
        ("SMM", "OSCE"),
        # India - Pakistan
        ("ISPR", "Pakistan"),
        ("Pakistani troops", "Pakistan"),
        ("Pakistan Rangers", "Pakistan"),
        ("the Indian Army", "India"),
        ("BSF", "India"),
        # Israel - Gaza / Lebanon
        ("IDF", "Israel"),
        ("the Israel Defense Forces", "Israel"),
        ("Hamas", "Hamas"),
        ("al-Qassam Brigades", "Hamas"),
        ("Islamic Jihad", "Palestinian Islamic Jihad"),
        ("Hizbullah", "Hezbollah"),
        ("Palestinians", "Palestinians"),
        ("UNIFIL", "UNIFIL"),
        ("the United Nations", "UN"),
        # unknown groups are the extractor's job
        ("Taliban", None),
        ("unidentified gunmen", None),
    ],
)
def test_resolve(resolver: SideResolver, mention: str, side: str | None) -> None:
    assert resolver.resolve(mention) == side


def test_resolve_with_profile(resolver: SideResolver) -> None:
    aa = profile("armenia-azerbaijan")
    assert resolver.resolve("Artsakh Defense Army", aa) == "Nagorno-Karabakh"
    assert resolver.resolve("Azerbaijani", aa) == "Azerbaijan"
    # another profile's aliases do not apply when a profile is given
    assert resolver.resolve("ISPR", aa) is None
    assert resolver.resolve("ISPR", profile("india-pakistan")) == "Pakistan"


@pytest.mark.parametrize(
    ("mention", "side"),
    [
        ("Azerbaijani", "Azerbaijan"),
        ("Azeri gunners", "Azerbaijan"),
        ("Armenian", "Armenia"),
        ("Armenians", "Armenia"),
        ("Thai soldiers", "Thailand"),
        ("Cambodian troops", "Cambodia"),
        ("Ethiopian federal forces", "Ethiopia"),
        ("Sudanese", "Sudan"),
        ("Colombian army", "Colombia"),
        ("Yemeni", "Yemen"),
        ("Syrian", "Syria"),
        ("Lebanese", "Lebanon"),
        ("Turkish", "Turkey"),
        ("American officials", "United States"),
        ("U.S. officials", "United States"),
        ("Congolese army", "DR Congo"),
        ("Baku", "Azerbaijan"),
        ("Yerevan", "Armenia"),
        ("Moscow", "Russia"),
        ("the Kremlin", "Russia"),
        ("Kyiv", "Ukraine"),
        ("Kiev", "Ukraine"),
        ("New Delhi", "India"),
        ("Islamabad", "Pakistan"),
        ("Tehran", "Iran"),
        ("Washington", "United States"),
        ("Bangkok", "Thailand"),
        ("Phnom Penh", "Cambodia"),
        ("Addis Ababa", "Ethiopia"),
        ("Göranboy", None),  # a place: not a side for resolve()
    ],
)
def test_demonyms_and_capitals(resolver: SideResolver, mention: str, side: str | None) -> None:
    assert resolver.resolve(mention) == side


def test_acronyms_are_case_sensitive(resolver: SideResolver) -> None:
    assert resolver.find("the dpr said") == []
    assert resolver.find("let us know, said the isPR office") == []
    assert resolver.resolve("us") is None
    assert sides_of(resolver.find("the DPR said")) == [("DPR", "Donetsk separatists", "party")]
    assert resolver.resolve("the US") == "United States"
    # ordinary aliases ignore case, e.g. in an all-caps headline
    assert resolver.resolve("AZERBAIJANI FORCES") == "Azerbaijan"
    # an acronym that is an English word is not read in shouted text
    assert resolver.find("HE TOLD US THAT") == []
    assert resolver.resolve("US troops") == "United States"


def test_possessives(resolver: SideResolver) -> None:
    text = "Russia’s Defence Ministry said Azerbaijan's forces hit the Defense Army's posts."
    assert sides_of(resolver.find(text)) == [
        ("Russia", "Russia", "party"),
        ("Azerbaijan", "Azerbaijan", "party"),
        ("Defense Army", "Nagorno-Karabakh", "party"),
    ]


def test_longest_match_wins(resolver: SideResolver) -> None:
    text = "The Artsakh Defense Ministry denied it."
    mentions = resolver.find(text)
    assert sides_of(mentions) == [("Artsakh Defense Ministry", "Nagorno-Karabakh", "party")]
    m = mentions[0]
    assert text[m.start : m.end] == m.text
    # profile alias ("Pakistani troops") beats the lexicon demonym ("Pakistani")
    assert sides_of(resolver.find("Pakistani troops fired")) == [
        ("Pakistani troops", "Pakistan", "party")
    ]
    assert sides_of(resolver.find("the Palestinian Islamic Jihad")) == [
        ("Palestinian Islamic Jihad", "Palestinian Islamic Jihad", "party")
    ]


def test_hyphen_and_diacritic_tolerance(resolver: SideResolver) -> None:
    assert resolver.resolve("Nagorno–Karabakh forces") == "Nagorno-Karabakh"
    assert resolver.resolve("Russian occupation forces") == "Russia"
    assert resolver.resolve("İran") == "Iran"


def test_donetsk_and_luhansk_alone_are_places(resolver: SideResolver) -> None:
    assert resolver.resolve("Donetsk") is None
    assert resolver.resolve("Luhansk") is None
    mentions = resolver.find("Three civilians were killed in the shelling of Donetsk.")
    assert [m.kind for m in mentions] == ["place"]
    assert resolver.resolve("Donetsk People's Republic") == "Donetsk separatists"
    # an oblast is a place without a side: no mention at all, and it blocks the city
    assert resolver.find("fighting in Luhansk region") == []


def test_karabakh_is_the_party(resolver: SideResolver) -> None:
    mentions = resolver.find("two strikes on Nagorno-Karabakh positions")
    assert sides_of(mentions) == [("Nagorno-Karabakh", "Nagorno-Karabakh", "party")]


def test_modifiers_are_not_sides(resolver: SideResolver) -> None:
    assert resolver.resolve("pro-Russian militants") is None
    assert resolver.resolve("Iran-backed Houthis") is None
    assert resolver.resolve("US-trained fighters") is None


def test_profile_alias_beats_the_modifier_rule(resolver: SideResolver) -> None:
    # the Russia-Ukraine profile names Russian-backed forces as Russia's, as Ukrainian bulletins do
    assert resolver.resolve("Russian-backed separatists") == "Russia"
    assert resolver.resolve("Russia-backed forces") == "Russia"


def test_outlets_are_not_sides(resolver: SideResolver) -> None:
    assert resolver.find("The Moscow Times reported the truce.") == []
    assert resolver.find("according to the Times of India") == []


def test_find_mentions_are_sorted_and_disjoint(resolver: SideResolver) -> None:
    text = (
        "The Azerbaijani Defense Ministry said units of the Defense Army opened fire near "
        "Shosh and Taghavard; Armenia's MoD called it false, Yerevan said."
    )
    mentions = resolver.find(text)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:], strict=False))
    assert [(m.side, m.kind) for m in mentions] == [
        ("Azerbaijan", "party"),
        ("Nagorno-Karabakh", "party"),
        ("Nagorno-Karabakh", "place"),
        ("Nagorno-Karabakh", "place"),
        ("Armenia", "party"),
        ("Armenia", "country"),
    ]


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("text", "pid"),
    [
        (
            "Azerbaijani forces fired on Defense Army positions near Martuni overnight.",
            "armenia-azerbaijan",
        ),
        (
            "The SMM recorded 120 explosions near Horlivka, the JFO press centre said.",
            "russia-ukraine",
        ),
        (
            "Pakistani troops violated the ceasefire along the LoC in Poonch district.",
            "india-pakistan",
        ),
        ("The IDF said Hamas gunmen opened fire near Khan Younis.", "israel-gaza-lebanon"),
        ("Pakistan said India fired first.", "india-pakistan"),  # two sides named
    ],
)
def test_detect_profile(resolver: SideResolver, text: str, pid: str) -> None:
    detected = resolver.detect_profile(text)
    assert detected is not None
    assert detected.id == pid


@pytest.mark.parametrize(
    "text",
    [
        "The central bank raised interest rates.",
        "Russia and Turkey monitor the Syrian truce in Idlib.",  # Russia alone is not enough
        "",
    ],
)
def test_detect_profile_none(resolver: SideResolver, text: str) -> None:
    assert resolver.detect_profile(text) is None


# --------------------------------------------------------------------------- gazetteer


def test_place_lookup(resolver: SideResolver) -> None:
    stepanakert = resolver.place("Khankendi")
    assert stepanakert is not None
    assert stepanakert.name == "Stepanakert"
    assert stepanakert.side == "Nagorno-Karabakh"
    assert abs(stepanakert.lat - 39.8) < 0.1
    assert abs(stepanakert.lon - 46.75) < 0.1
    shusha = resolver.place("shusha")
    assert shusha is not None
    assert "Shushi" in (shusha.name, *shusha.variants)
    assert resolver.place("Shushi") is shusha
    gorlovka = resolver.place("GORLOVKA")
    assert gorlovka is not None
    assert gorlovka.name == "Horlivka"
    assert resolver.place("Goranboy") is resolver.place("Göranboy")
    poonch = resolver.place("Poonch sector")
    assert poonch is not None
    assert poonch.name == "Poonch"
    assert poonch.side == "India"
    assert resolver.place("the Lachin corridor") is not None
    assert resolver.place("Atlantis") is None
    assert resolver.place("Shusha", profile("india-pakistan")) is None


def test_find_places(resolver: SideResolver) -> None:
    text = "Shelling hit Zolote-4 and the Donetsk airport; Kashmir was calm."
    names = [pm.place.name for pm in resolver.find_places(text)]
    assert names == ["Zolote-4", "Donetsk airport", "Kashmir"]


# --------------------------------------------------------------------------- user profiles

THAI_CAMBODIA = """\
id: thailand-cambodia
title: Thailand – Cambodia border
keywords: [Preah Vihear, Ta Muen Thom]
sides:
  Thailand: [Royal Thai Army, Second Army Region, Thai Second Army]
  Cambodia: [Royal Cambodian Armed Forces, RCAF, Cambodian Ministry of National Defence]
institutions:
  ASEAN: [ASEAN observers, ASEAN Observer Team]
places:
  - {name: Ta Muen Thom, variants: [Prasat Ta Muen Thom, Ta Moan Thom], lat: 14.35, lon: 103.26,
     kind: area, country: Thailand}
  - {name: Preah Vihear, variants: [Phra Wihan], lat: 14.39, lon: 104.68, kind: area,
     country: Cambodia, side: Cambodia}
ceasefires:
  - {name: Kuala Lumpur ceasefire, parties: [Thailand, Cambodia], start: 2025-07-29,
     monitor: ASEAN observers}
"""


def test_user_profile_dir_adds_a_conflict(tmp_path: pathlib.Path) -> None:
    (tmp_path / "thailand-cambodia.yaml").write_text(THAI_CAMBODIA, encoding="utf-8")
    profiles = load_profiles([tmp_path])
    assert {p.id for p in profiles} == PROFILE_IDS | {"thailand-cambodia"}
    resolver = SideResolver(profiles)
    tc = next(p for p in profiles if p.id == "thailand-cambodia")
    assert resolver.resolve("the Second Army Region") == "Thailand"
    assert resolver.resolve("RCAF", tc) == "Cambodia"
    assert resolver.resolve("ASEAN observers", tc) == "ASEAN"
    place = resolver.place("Prasat Ta Muen Thom")
    assert place is not None
    assert place.name == "Ta Muen Thom"
    text = "The Second Army Region said Cambodian troops fired near Ta Muen Thom."
    detected = resolver.detect_profile(text)
    assert detected is not None
    assert detected.id == "thailand-cambodia"
    assert tc.ceasefires[0].start == datetime.date(2025, 7, 29)


def test_user_profile_replaces_packaged_one_with_same_id(tmp_path: pathlib.Path) -> None:
    text = THAI_CAMBODIA.replace("id: thailand-cambodia", "id: india-pakistan")
    (tmp_path / "override.yml").write_text(text, encoding="utf-8")
    profiles = load_profiles([tmp_path])
    assert len(profiles) == len(PROFILE_IDS)
    assert next(p for p in profiles if p.id == "india-pakistan").title.startswith("Thailand")


HEAD = "id: broken\ntitle: x\nsides: {A: []}\n"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("id: broken\ntitle: x\nsides: [a, b\n", "invalid YAML"),
        ("- just\n- a list\n", "mapping"),
        ("id: broken\ntitle: x\n", "sides"),
        (
            HEAD + "places:\n  - {name: P, lat: 95, lon: 1, kind: area}\n",
            "lat",
        ),
        (
            HEAD + "places:\n  - {name: P, lat: 1, lon: 1, kind: city}\n",
            "kind",
        ),
        (
            HEAD + "places:\n  - {name: P, lat: 1, lon: 1, kind: area, side: B}\n",
            "side 'B'",
        ),
        ("id: broken\ntitle: x\nsides: {A: [X], B: [X]}\n", "already names"),
        (
            HEAD + "ceasefires:\n  - {name: C, parties: [Z], start: 2020-01-01}\n",
            "parties",
        ),
        (
            HEAD + "ceasefires:\n  - {name: C, parties: [A], start: 2020-01-02, end: 2020-01-01}\n",
            "before start",
        ),
        (HEAD + "colour: blue\n", "colour"),
        ("id: broken\ntitle: x\nsides: {A: ['--']}\n", "no word characters"),
    ],
)
def test_malformed_profile_raises_profile_error(
    tmp_path: pathlib.Path, content: str, problem: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profiles([tmp_path])
    assert str(path) in str(info.value)
    assert problem in str(info.value)


def test_duplicate_user_ids_and_missing_dir(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a.yaml").write_text(THAI_CAMBODIA, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(THAI_CAMBODIA, encoding="utf-8")
    with pytest.raises(ProfileError, match="thailand-cambodia"):
        load_profiles([tmp_path])
    with pytest.raises(ProfileError, match="not a directory"):
        load_profiles([tmp_path / "missing"])


def test_resolver_pickles(resolver: SideResolver) -> None:
    resolver.find("warm the caches: Armenian forces")
    clone = pickle.loads(pickle.dumps(resolver))
    assert clone.resolve("Defense Army") == "Nagorno-Karabakh"
