"""Extraction for languages other than English: detection per document, and rule-based readers
over morphology (pymorphy3 lemmas) for Russian and Ukrainian, driven by lexicons kept as data
(`lexicons/ru.yaml`, `lexicons/uk.yaml`) and the Cyrillic aliases of the conflict profiles."""
