"""Whether a trigger reports an act that happened, read off the dependency parse.

The regex screen in `acts.find_triggers` catches a negation or an unrealised frame just before a
trigger. This module reads the parse instead, so it sees the verb that governs the act wherever
it stands: a negated verb ("our units did not return fire"), a modal or future ("the army will
respond to any provocation"), an act that is only the complement of an intention, an obligation
or a refusal ("threatened to shell", "refrained from using heavy weapons", "agreed to halt the
fighting"), a noun that holds the act without asserting it ("a cessation of hostilities",
"any provocation"), and a conditional ("if the shelling continues"). The word lists live in
the lexicon (`modality`), so another language or register is data, not code.

It also tells when a trigger only refers to an act told elsewhere ("opened fire in response to
the shelling"): the act inside such a frame is not a second claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

# dependency labels through which an act inherits the modality of its governor
_CLIMB = frozenset(
    {
        "xcomp",
        "pcomp",
        "pobj",
        "prep",
        "dobj",
        "compound",
        "amod",
        "nmod",
        "acl",
        "conj",
        "appos",
        "nsubjpass",
        "attr",
        "oprd",
        "advcl",
        "relcl",
        "poss",
    }
)
_MAX_CLIMB = 5


@dataclass(frozen=True)
class Modality:
    """Lemma lists from the lexicon's `modality` section."""

    modals: frozenset[str]
    governors: frozenset[str]
    nouns: frozenset[str]
    conditional: frozenset[str]
    referring: tuple[str, ...]

    def unrealised(self, doc: Doc, start: int, end: int) -> bool:
        """True when the act named by the characters [start, end) of the parsed sentence is
        negated, modal, conditional, or only the complement of an intention or refusal."""
        head = _head_token(doc, start, end)
        if head is None:
            return False
        if _has_child(head, "det", {"no", "any"}) or _has_child(head, "neg", None):
            return True
        if head.dep_ == "amod" and head.tag_ in ("VBN", "JJ"):
            return True  # "liberated areas", "captured weapons": a state, not an act
        if head.dep_ in ("nsubj", "nsubjpass") and _has_child(head.head, "aux", self.modals):
            return True  # "rocket attacks would increase", "the shelling will continue"
        token: Token = head
        via_conj = False  # past a conjunction, only governors count ("not hurt, but received ...")
        for _ in range(_MAX_CLIMB):
            if not via_conj and (token.pos_ in ("VERB", "AUX") or token is head):
                if _has_child(token, "neg", None):
                    return True
                if _has_child(token, "aux", self.modals) or _has_child(
                    token, "auxpass", self.modals
                ):
                    return True
                if _has_child(token, "mark", self.conditional):
                    return True
            if (
                token is not head
                and token.lemma_.lower() in self.governors
                and token.pos_
                in (
                    "VERB",
                    "AUX",
                )
            ):
                return True
            if token is not head and token.lemma_.lower() in self.nouns and token.pos_ == "NOUN":
                return True
            if token.dep_ not in _CLIMB or token.head is token:
                break
            via_conj = via_conj or token.dep_ == "conj"
            token = token.head
        return False

    def refers_back(self, doc: Doc, start: int, end: int) -> bool:
        """True when the act is the object of a frame like "in response to" or "following": it
        names an act told elsewhere rather than a new one."""
        head = _head_token(doc, start, end)
        if head is None or head.pos_ not in ("NOUN", "PROPN") or head.dep_ != "pobj":
            return False
        prep = head.head
        left = doc.text[max(0, prep.idx - 20) : prep.idx + len(prep.text)].lower()
        return any(left.endswith(frame) for frame in self.referring)


def _head_token(doc: Doc, start: int, end: int) -> Token | None:
    """The token of the span [start, end) whose head lies outside the span."""
    tokens = [t for t in doc if start <= t.idx < end]
    if not tokens:
        return None
    inside = {t.i for t in tokens}
    return next((t for t in tokens if t.head.i not in inside or t.head is t), tokens[0])


def _has_child(token: Token, dep: str, lemmas: frozenset[str] | set[str] | None) -> bool:
    return any(
        c.dep_ == dep and (lemmas is None or c.lemma_.lower() in lemmas or c.lower_ in lemmas)
        for c in token.children
    )


def compile_modality(data: dict[str, list[str]]) -> Modality:
    return Modality(
        modals=frozenset(w.lower() for w in data.get("modals", [])),
        governors=frozenset(w.lower() for w in data.get("governors", [])),
        nouns=frozenset(w.lower() for w in data.get("nouns", [])),
        conditional=frozenset(w.lower() for w in data.get("conditional", [])),
        referring=tuple(sorted((w.lower() for w in data.get("referring", [])), key=len)),
    )
