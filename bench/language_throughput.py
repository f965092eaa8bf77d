"""Extraction throughput per language: Russian and Ukrainian beside English, on one generated
corpus told in the three languages.

    .venv/bin/python bench/language_throughput.py [--docs N] [--json]

The corpus is generated here, deterministically (seeded): short ceasefire bulletins built from
templates written for this benchmark, the same report in English, Russian and Ukrainian, with
places, numbers and days drawn from small lists, and filler sentences that carry no incident.
One `Extractor` reads each language's documents through `extract_many`, language detection
included; model and dictionary loading is timed apart (a first document per language) and left
out of throughput. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from typing import Any

from trucewatch.models import Document

PLACES = [
    ("Horlivka", "Горловку", "Горлівку", "Горловки", "Горлівки"),
    ("Avdiivka", "Авдеевку", "Авдіївку", "Авдеевки", "Авдіївки"),
    ("Popasna", "Попасную", "Попасну", "Попасной", "Попасної"),
    ("Pisky", "Пески", "Піски", "Песков", "Пісків"),
    ("Shumy", "Шумы", "Шуми", "Шумов", "Шумів"),
]
WEAPONS = [
    ("mortars", "минометов", "мінометів"),
    ("grenade launchers", "гранатометов", "гранатометів"),
    ("heavy machine guns", "крупнокалиберных пулеметов", "великокаліберних кулеметів"),
]
COUNTS = [(2, "twice", "дважды", "двічі"), (3, "three times", "трижды", "тричі")]
# (English, Russian, Ukrainian); slots: place forms, weapon, count words
TALLY = (
    "Over the past day the enemy violated the ceasefire {count_en}, the JFO headquarters said.",
    "За минувшие сутки противник {count_ru} нарушил режим прекращения огня, сообщил штаб ООС.",
    "Минулої доби противник {count_uk} порушив режим припинення вогню, повідомляє штаб ООС.",
)
ACT = (
    "Near {place_en} the enemy fired {weapon_en} at our positions.",
    "Возле {place_ru_gen} противник вел огонь по нашим позициям из {weapon_ru}.",
    "Біля {place_uk_gen} противник відкривав вогонь по наших позиціях з {weapon_uk}.",
)
SHELLED = (
    "Ukrainian forces shelled {place_en} yesterday, the DPR representation in the JCCC said.",
    "Вчера украинские силовики обстреляли {place_ru}, сообщили в представительстве ДНР в СЦКК.",
    "Учора українські військові обстріляли {place_uk}, повідомили в представництві ДНР у СЦКК.",
)
TOLL = (
    "There were no casualties among our soldiers.",
    "Потерь среди наших военнослужащих нет.",
    "Втрат серед наших військовослужбовців немає.",
)
FILLER = (
    (
        "The situation along the contact line remains under control.",
        "Ситуация на линии соприкосновения остается под контролем.",
        "Ситуація на лінії розмежування залишається під контролем.",
    ),
    (
        "Monitors continue to patrol the area together with the liaison officers.",
        "Наблюдатели продолжают патрулирование района вместе с офицерами связи.",
        "Спостерігачі продовжують патрулювання району разом з офіцерами зв'язку.",
    ),
    (
        "Repair crews restored power lines in several villages during the day.",
        "Ремонтные бригады в течение дня восстановили линии электропередачи в нескольких селах.",
        "Ремонтні бригади протягом дня відновили лінії електропередачі в кількох селах.",
    ),
)
LANGUAGES = ("en", "ru", "uk")


def corpus(n: int, seed: int = 15) -> dict[str, list[Document]]:
    """n reports, each told in the three languages (same content, same published day)."""
    rng = random.Random(seed)
    out: dict[str, list[Document]] = {lang: [] for lang in LANGUAGES}
    for i in range(n):
        place = rng.choice(PLACES)
        weapon = rng.choice(WEAPONS)
        count = rng.choice(COUNTS)
        slots = {
            "place_en": place[0],
            "place_ru": place[1],
            "place_uk": place[2],
            "place_ru_gen": place[3],
            "place_uk_gen": place[4],
            "weapon_en": weapon[0],
            "weapon_ru": weapon[1],
            "weapon_uk": weapon[2],
            "count_en": count[1],
            "count_ru": count[2],
            "count_uk": count[3],
        }
        parts = [TALLY, ACT, TOLL, *rng.sample(FILLER, 2)]
        if rng.random() < 0.5:
            parts.insert(2, SHELLED)
        published = dt.date(2021, 1, 1) + dt.timedelta(days=i % 365)
        for k, lang in enumerate(LANGUAGES):
            text = " ".join(p[k].format(**slots) for p in parts)
            out[lang].append(Document(id=f"{lang}-{i}", text=text, published=published))
    return out


def measure(docs: list[Document], extractor: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    extractor.extract(docs[0])  # loads this language's dictionaries and lexicon
    load_s = time.perf_counter() - t0
    words = sum(len(d.text.split()) for d in docs)
    t0 = time.perf_counter()
    events = sum(len(e) for _, e in extractor.extract_many(docs))
    run_s = time.perf_counter() - t0
    return {
        "documents": len(docs),
        "words": words,
        "events": events,
        "load_s": round(load_s, 2),
        "run_s": round(run_s, 2),
        "docs_per_s": round(len(docs) / run_s, 1),
        "words_per_s": round(words / run_s),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300, help="reports per language")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from trucewatch.extract.pipeline import Extractor

    t0 = time.perf_counter()
    extractor = Extractor()
    base_load = time.perf_counter() - t0
    texts = corpus(args.docs)
    report = {lang: measure(texts[lang], extractor) for lang in LANGUAGES}
    if args.json:
        print(json.dumps({"extractor_load_s": round(base_load, 2), **report}, indent=2))
        return 0
    print(f"generated corpus: {args.docs} reports per language; Extractor() {base_load:.1f} s")
    keys = ["documents", "words", "events", "load_s", "run_s", "docs_per_s", "words_per_s"]
    print(f"{'':14}" + "".join(f"{lang:>12}" for lang in LANGUAGES))
    for key in keys:
        print(f"{key:14}" + "".join(f"{report[lang][key]:>12}" for lang in LANGUAGES))
    en = report["en"]["docs_per_s"]
    for lang in ("ru", "uk"):
        print(f"{lang}/en docs/s: {report[lang]['docs_per_s'] / en:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
