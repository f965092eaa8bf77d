"""Per clause of a Russian or Ukrainian sentence: the act (type, weapon), the sides and their
roles, the place, the count and the toll. Pure functions of the tokens and the compiled lexicon."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from trucewatch.extract.languages.compiled import Compiled, SideEntry, transliterate
from trucewatch.extract.languages.morphology import Token
from trucewatch.extract.languages.phrases import Hit

# most specific first: a clause with several triggers takes the first of these it holds
SPECIFICITY = (
    "shoot_down",
    "explosive",
    "drone_strike",
    "intrusion",
    "attack_on_civilians",
    "shelling",
    "firing",
    "armed_clash",
    "ceasefire_violation",
    "ceasefire_agreement",
    "deployment",
    "mediation",
)
# heavier weapons name the act ("mortars and machine guns" is a shelling with mortars)
WEIGHT = {
    "small_arms": 1,
    "sniper": 2,
    "machine_gun": 3,
    "grenade_launcher": 4,
    "armour": 5,
    "landmine": 5,
    "explosive": 5,
    "drone": 6,
    "mortar": 7,
    "artillery": 8,
    "rocket": 9,
    "aircraft": 9,
    "missile": 10,
}
_GENERIC = {"firing", "armed_clash", "ceasefire_violation", "shelling"}
_HEAVY = {
    "mortar": "shelling",
    "artillery": "shelling",
    "rocket": "shelling",
    "missile": "shelling",
}
_AIR = {"drone": "drone_strike", "aircraft": "drone_strike"}
_BLAST = {"landmine": "explosive", "explosive": "explosive"}
_LIGHT = {"small_arms", "sniper", "machine_gun", "grenade_launcher", "armour"}


@dataclass
class Mention:
    entry: SideEntry
    first: int
    last: int
    role: str = ""  # speaker | actor | target | ""


@dataclass
class Clause:
    tokens: Sequence[Token]
    start: int  # character offsets in the document
    end: int
    type: str | None = None
    weapon: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    place: str | None = None
    place_kind: str | None = None
    count: int | None = None
    killed: int | None = None
    injured: int | None = None
    zero_toll: tuple[bool, bool] = (False, False)  # (killed 0, injured 0) stated


def split_clauses(c: Compiled, tokens: Sequence[Token]) -> list[Sequence[Token]]:
    """Cut before each clause break ("после чего", "; ") that has an act on both sides."""
    cuts = [0]
    breaks = {first for first, _ in c.hits("clause_breaks", tokens)}
    breaks |= {i + 1 for i, t in enumerate(tokens) if t.text in (";", ",")}
    for i in sorted(breaks):
        if i <= cuts[-1] or i >= len(tokens):
            continue
        left, right = tokens[cuts[-1] : i], tokens[i:]
        acting = c.triggers.scan(left) or (len(cuts) > 1 and _own_place_and_arms(c, left, left))
        if acting and (c.triggers.scan(right) or _own_place_and_arms(c, left, right)):
            cuts.append(i)
    cuts.append(len(tokens))
    return [tokens[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _own_place_and_arms(c: Compiled, left: Sequence[Token], right: Sequence[Token]) -> bool:
    """ "…біля Мар'їнки з мінометів, поблизу Пісків — з гранатометів": each part has its own
    place and weapon, the act of the first is told once."""
    return all(c.has("place_cues", part) for part in (left, right)) and bool(c.weapons.scan(right))


def act(
    c: Compiled, tokens: Sequence[Token], told: str | None = None
) -> tuple[str | None, str | None]:
    """(type, weapon) of a clause, or (None, None) when it holds no act trigger; `told` is the
    act of the clause before in the sentence, for a clause that names only place and weapon."""
    if c.has("unrealised", tokens):
        return None, None  # "будет обнародована", "с целью предотвращения": no act happened
    retaliation = c.hits("retaliation", tokens)
    kinds = [
        h.value
        for h in c.triggers.scan(tokens)
        if not any(a <= h.first < b for a, b in retaliation)
    ]
    if not kinds and told is not None and c.weapons.scan(tokens) and c.has("place_cues", tokens):
        kinds = [told]
    if not kinds:
        return None, None
    kind = min(kinds, key=SPECIFICITY.index)
    weapons = [h.value for h in c.weapons.scan(tokens)]
    weapon = max(weapons, key=WEIGHT.__getitem__) if weapons else None
    if weapon and kind in _GENERIC:
        kind = _HEAVY.get(weapon) or _AIR.get(weapon) or _BLAST.get(weapon) or kind
        if kind in ("shelling", "ceasefire_violation") and weapon in _LIGHT:
            kind = "firing"
    return kind, weapon


def _near(c: Compiled, name: str, tokens: Sequence[Token], first: int, span: int) -> bool:
    return any(
        b <= first and first - b <= span for _, b in c.hits(name, tokens[: first + 1])
    ) or any(first - span <= a < first for a, _ in c.hits(name, tokens))


def side_mentions(c: Compiled, tokens: Sequence[Token], trigger_at: int | None) -> list[Mention]:
    """Side mentions with a role each: who speaks, who acts, who is hit."""
    out: list[Mention] = []
    for hit in c.sides.scan(tokens):
        if hit.value.kind == "ignore":
            continue
        mention = Mention(hit.value, hit.first, hit.last)
        out.append(mention)
        if hit.value.kind == "place":
            continue
        mention.role = _role(c, tokens, hit, trigger_at)
    return out


def _role(c: Compiled, tokens: Sequence[Token], hit: Hit[SideEntry], trigger_at: int | None) -> str:
    """speaker, actor, target or "" for one side mention of a clause."""
    first, last = hit.first, hit.last
    kind = hit.value.kind
    nxt = tokens[last : last + 2]
    if kind == "civilians":
        return "target"
    if (
        kind in _NAMED
        and (
            _speech_before(c, tokens, first)
            or c.has("speech", tokens[first:last])  # "представительство ДНР", "штаб ООС"
            or c.has("media", nxt)
            or c.has("speech", nxt[:1])
            or (nxt[:1] and nxt[0].text == ":")  # a headline's credit: "ООС: ..."
        )
    ):
        return "speaker"
    if kind == "institution":
        return ""  # monitors and mediators neither act nor, unless aimed at, are hit
    if _near(c, "actor_preps", tokens, first, 2):
        return "actor"
    if kind == "own" or _near_toll(c, tokens, first, last):
        return "target"
    head = tokens[first]
    before = tokens[max(0, first - 2) : first]
    prep_before = bool(before) and before[-1].preposition
    if head.pos in ("ADJF", "ADJ") and _noun_after(c, "target_nouns", tokens, last):
        return "target"  # "армянских боевых позиций": the positions of a side are hit
    modifier = (
        bool(before)
        and before[-1].pos == "NOUN"
        and not before[-1].preposition
        and "gent" in head.cases
        and not c.has("force_nouns", before[-1:])
        and not c.has("target_nouns", before[-1:])
    )
    if modifier:
        return ""  # "Министерства обороны Украины": a genitive attribute of another noun
    if (
        not prep_before
        and (head.may_be("nomn") or head.may_be("ablt"))
        and not (c.has("target_nouns", before[-1:]) and head.may_be("gent"))
    ):
        return "actor"  # the subject, or the agent of a passive ("обстрелы боевиками")
    if c.has("target_preps", before) or (
        c.has("target_nouns", before[-1:]) and head.may_be("gent")
    ):
        return "target"
    if c.has("force_nouns", before[-1:]) and head.may_be("gent"):
        force = before[-1]
        prep = tokens[first - 2].preposition if first >= 2 else False
        if not prep and (force.may_be("nomn") or force.may_be("ablt")):
            return "actor"
        return "target" if prep else ""
    return "target" if trigger_at is not None and first > trigger_at else ""


_NAMED = ("party", "country", "institution")


def _noun_after(c: Compiled, name: str, tokens: Sequence[Token], last: int) -> bool:
    """One of the `name` nouns right after a side's adjective, past up to two more adjectives."""
    i = last
    while i < len(tokens) and i - last < 2 and tokens[i].pos in ("ADJF", "ADJ", "PRTF"):
        i += 1
    return c.has(name, tokens[i : i + 1])


def _speech_before(c: Compiled, tokens: Sequence[Token], first: int) -> bool:
    """A speech word up to three tokens before the mention, with no punctuation between."""
    acts = {i for h in c.triggers.scan(tokens) for i in range(h.first, h.last)}
    for _, b in c.hits("speech", tokens[:first]):
        gap = tokens[b:first]
        if (
            len(gap) <= 3
            and all(t.text.replace("-", "").replace("'", "").isalnum() for t in gap)
            and not acts & set(range(b, first))  # "сообщение об обстреле армянских позиций"
        ):
            return True
    return False


def _near_toll(c: Compiled, tokens: Sequence[Token], first: int, last: int) -> bool:
    """A side named next to a casualty word ("поранений український воїн") suffered."""
    for name in ("killed", "injured"):
        for a, b in c.hits(name, tokens):
            gap = tokens[last:a] if a >= last else tokens[b:first] if b <= first else None
            if gap is not None and len(gap) <= 3 and all(t.text.isalnum() for t in gap):
                return True
    return False


def place_of(
    c: Compiled, tokens: Sequence[Token], mentions: list[Mention]
) -> tuple[str, str] | None:
    """(place, kind) of a clause, the first named: a profile place (or its adjective, "Ордубадский
    район"), else a capitalised name after a cue ("в районе Ивановки"), transliterated."""
    found: list[tuple[int, str, str]] = []
    for m in mentions:
        if m.entry.kind == "place" and m.entry.place is not None:
            found.append((m.first, m.entry.place.name, m.entry.place.kind))
    taken = {i for m in mentions for i in range(m.first, m.last)}
    districts = {a for a, _ in c.hits("district_words", tokens)}
    directions = {a for a, _ in c.hits("direction_words", tokens)}
    for i, tok in enumerate(tokens):
        if i in taken or not tok.capitalised or not tok.text.isalpha() or i == 0:
            continue
        if i + 1 in directions:  # "на луганском направлении" is a direction, not a place
            continue
        stem = _base_name(c, tok, adjective=True)
        known = c.place_stems.get(stem)
        if known is not None:
            found.append((i, known.name, known.kind))
        elif i + 1 in districts and stem != tok.lemma:  # "в Сюникском районе"
            found.append((i, transliterate(c, stem), "district"))
    starts = [end for _, end in c.hits("place_cues", tokens)]
    starts += [h.last for h in c.triggers.scan(tokens)]  # "обстреляли Славяносербск"
    for end in starts:
        words: list[str] = []
        i = end
        while i < len(tokens) and i not in taken and tokens[i].capitalised and _word(tokens[i]):
            words.append(_as_named(c, tokens[i]))
            i += 1
        if words:
            found.append((end, transliterate(c, " ".join(words)), "settlement"))
    origins = [end for _, end in c.hits("origin_cues", tokens)]
    found = [f for f in found if not any(0 <= f[0] - end <= 3 for end in origins)]
    if not found:
        return None
    _, name, kind = min(found)
    return name, kind


def _word(token: Token) -> bool:
    return token.text.replace("-", "").replace("'", "").isalnum() and token.text[:1].isalpha()


def _as_named(c: Compiled, token: Token) -> str:
    """An unknown place's name as a cue introduces it: as written when it may be nominative
    ("селища Майорське"), else its lemma ("біля Старогнатівки")."""
    if token.may_be("nomn"):
        return token.text.lower()
    return _base_name(c, token)


def _base_name(c: Compiled, token: Token, adjective: bool = False) -> str:
    """A place's name from its word: the nominative lemma; for an adjective ("Ордубадского
    района", "донецький напрямок") the stem of the place it is named after, a known place's
    if one fits."""
    lemma = token.lemma
    if not (adjective or token.pos in ("ADJF", "ADJ")):
        return lemma
    stems = [
        lemma[: -len(suffix)]
        for suffix in c.lexicon.place_suffixes
        if lemma.endswith(suffix) and len(lemma) > len(suffix) + 3
    ]
    return next((s for s in stems if s in c.place_stems), stems[0] if stems else lemma)


def number_at(c: Compiled, token: Token) -> int | None:
    if token.text.isdigit():
        value = int(token.text)
        return value if value < 100_000 else None
    found = c.numbers.get(token.text.lower().replace("’", "'"))
    if found is None:
        found = next((c.numbers[lemma] for lemma in token.lemmas if lemma in c.numbers), None)
    return found


def count_of(c: Compiled, tokens: Sequence[Token]) -> int | None:
    """How many acts a clause counts: "21 нарушение", "п'ять порушень", "дважды"."""
    for hit in c.words["count_nouns"].scan(tokens):
        if hit.value.startswith("="):
            return int(hit.value[1:])
        for j in range(hit.first - 1, max(-1, hit.first - 4), -1):
            value = number_at(c, tokens[j])
            if value is not None:
                if c.has("approximate", tokens[max(0, j - 2) : j]):
                    return None
                return value
            if tokens[j].pos not in ("ADJF", "ADJ", "PRTF", None) or not tokens[j].text.isalpha():
                break
    return None


def _only_punct(tokens: Sequence[Token]) -> bool:
    return all(not t.text.isalnum() for t in tokens)


def _is_year(c: Compiled, tokens: Sequence[Token], i: int) -> bool:
    return tokens[i].text.isdigit() and c.has("year_words", tokens[i + 1 : i + 2])


def toll(c: Compiled, tokens: Sequence[Token]) -> tuple[int | None, int | None, bool, bool]:
    """(killed, injured, killed stated 0, injured stated 0) of a clause."""
    negated = c.has("negations", tokens) or c.has("zero_phrases", tokens)
    zero_hits = c.words["no_casualty"].scan(tokens)
    if negated and zero_hits:
        only_killed = all(c.has("killed_only", tokens[h.first : h.last]) for h in zero_hits)
        return None, None, True, not only_killed
    figures: dict[str, int | None] = {"killed": None, "injured": None}
    for name in ("killed", "injured"):
        for first, last in c.hits(name, tokens):
            near = [*range(max(0, first - 5), first), *range(last, min(len(tokens), last + 3))]
            values = [
                v for i in near if not _is_year(c, tokens, i) and (v := number_at(c, tokens[i]))
            ]
            figures[name] = values[0] if values else 1
            break
    killed_at = c.hits("killed", tokens)
    for a, b in c.hits("injured", tokens):
        # "смертельно ранен", "поранення, несумісне з життям": a death, not a wound
        if any(k <= a < e or (0 <= k - b <= 2 and _only_punct(tokens[b:k])) for k, e in killed_at):
            figures["injured"] = None
    return figures["killed"], figures["injured"], False, False
