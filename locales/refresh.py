"""`make messages`: the catalogs brought up to date with the texts the code marks (models.i18n.texts_in_code).

New texts are added untranslated, texts the code no longer has are dropped, translations are kept. The files are
written without a header (no dates, so a refresh changes only what changed; the plural rules come from the
language) and without source locations (code moves; the text is the key). Then translate the empty entries:
tests/test_messages.py fails until every one is.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from models import i18n  # noqa: E402


def main() -> None:
    template = Catalog()
    for text in sorted(i18n.texts_in_code(), key=str):
        template.add(text)
    for language in i18n.LANGUAGES:
        if language == i18n.DEFAULT:
            continue
        path = i18n.catalog_path(language)
        if path.exists():
            with path.open('rb') as po:
                catalog = read_po(po, locale=language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open('wb') as po:
            write_po(po, catalog, omit_header=True, no_location=True, sort_output=True, width=120)
        untranslated = sum(1 for message in catalog if message.id and not i18n.translated(message.string))
        print(f'{path.relative_to(i18n.ROOT)}: {len(catalog)} texts, {untranslated} to translate')


if __name__ == '__main__':
    main()
