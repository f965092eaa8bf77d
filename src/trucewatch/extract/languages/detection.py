"""Which language a report is written in, offline (lingua), as an ISO 639-1 code."""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

# The languages told apart: the parties' languages of the shipped conflict profiles and the
# common languages of relays. A text in none of them is given the nearest of these.
_LANGUAGES = (
    Language.ENGLISH,
    Language.RUSSIAN,
    Language.UKRAINIAN,
    Language.ARMENIAN,
    Language.AZERBAIJANI,
    Language.GEORGIAN,
    Language.ARABIC,
    Language.HEBREW,
    Language.PERSIAN,
    Language.URDU,
    Language.HINDI,
    Language.FRENCH,
    Language.GERMAN,
    Language.SPANISH,
    Language.TURKISH,
)
_LETTER = re.compile(r"[^\W\d_]")
_SAMPLE = 4000  # characters read: enough to tell, bounded cost on a long report


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LANGUAGES).build()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language; None for a text without letters to tell by."""
    sample = text[:_SAMPLE]
    if len(_LETTER.findall(sample)) < 3:
        return None
    found = _detector().detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found is not None else None
