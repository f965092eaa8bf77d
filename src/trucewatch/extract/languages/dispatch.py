"""Which reader a document goes to, by its language: English to the spaCy pipeline, Russian and
Ukrainian to the rule-based readers over morphology, and any other language to none (the
document is kept and marked not extracted, never silently dropped)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from trucewatch.extract.languages.detection import detect_language
from trucewatch.extract.languages.lexicon import has_lexicon
from trucewatch.extract.languages.reader import SlavicReader
from trucewatch.models import Document, DocumentReading
from trucewatch.sides import Profile

ENGLISH = "en"
READERS = ("ru", "uk")  # languages with a reader of their own (and a lexicon file)


def document_language(doc: Document) -> str | None:
    """The document's language as stored with it, else detected from its text."""
    return doc.language or detect_language(doc.text)


class LanguageDispatch:
    """Reads the documents the English pipeline does not; readers are built on first use."""

    def __init__(self, profiles: Sequence[Profile]) -> None:
        self._profiles = tuple(profiles)
        self._readers: dict[str, SlavicReader] = {}

    def read(self, doc: Document) -> DocumentReading | None:
        """The reading of a non-English document; None for English (or undetectable) text."""
        language = document_language(doc)
        if language is None or language == ENGLISH:
            return None
        if language in READERS and has_lexicon(language):
            reader = self._readers.get(language)
            if reader is None:
                reader = self._readers[language] = SlavicReader(language, self._profiles)
            return replace(reader.read(doc), language=language)
        return DocumentReading([], [], language=language, extracted=False)
