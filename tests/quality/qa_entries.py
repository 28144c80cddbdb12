"""The prohibited-language list as the migrations seed it (LANG-1), as `Entry` values: the inspection's tests run
without a database."""

from __future__ import annotations

import importlib

from arrears.compliance.language import Entry

SEEDINGS = ("0004_seed_prohibited_phrases", "0006_seed_workplace_phrases", "0008_seed_english_phrases")

ENTRIES = [
    Entry(n, text, kind, category)
    for n, (text, kind, category, _note) in enumerate(
        (
            phrase
            for seeding in SEEDINGS
            for phrase in importlib.import_module(f"arrears.compliance.migrations.{seeding}").PHRASES
        ),
        1,
    )
]
