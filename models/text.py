"""Text folding shared by sorting and searching: case- and accent-insensitive, so "André" sorts and matches as "andre";
and the one key company names are compared by (import, copy, duplicates): folded, without punctuation and without the
legal form, so "officine meccaniche lombarde srl" is "Officine Meccaniche Lombarde S.r.l."."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r'\s+')
# letters that do not decompose into a base letter and an accent
_SPECIAL = str.maketrans({'ß': 'ss', 'æ': 'ae', 'ø': 'o', 'œ': 'oe', 'đ': 'd', 'ł': 'l', 'þ': 'th', 'ı': 'i'})


def fold(text: str) -> str:
    """Lower case without accents and with single spaces: 'Müller  André' -> 'muller andre'."""
    decomposed = unicodedata.normalize('NFKD', text.casefold().translate(_SPECIAL))
    stripped = ''.join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(' ', stripped).strip()


def digits(text: str) -> str:
    return ''.join(c for c in text if c.isdigit())


# legal forms, written without dots or spaces: "S.r.l.", "s. r. l.", "SRL" and "Srl" are all "srl"
LEGAL_FORMS = frozenset({
    'srl', 'srls', 'spa', 'sapa', 'sas', 'snc', 'scarl', 'scrl', 'scpa',  # Italy
    'sarl', 'sasu', 'eurl', 'sa', 'sca', 'scop',  # France, Belgium, Switzerland, Spain
    'gmbh', 'ag', 'kg', 'ohg', 'ug', 'gbr', 'kgaa',  # Germany, Austria
    'ltd', 'limited', 'llc', 'llp', 'lp', 'plc', 'inc', 'incorporated', 'corp', 'corporation', 'co', 'pllc',
    'bv', 'nv', 'vof', 'sl', 'slu', 'sll', 'lda', 'oy', 'oyj', 'ab', 'as', 'asa', 'aps', 'sro', 'doo', 'kft', 'spzoo',
})
_LONGEST_FORM = 4  # the most words a legal form is written in: "s. a. p. a."
_DOTS = re.compile(r"[.'’]")  # joined: "S.r.l." -> "srl", "L'Aquila" -> "laquila"
_PUNCTUATION = re.compile(r'[^\w\s]|_')  # anything else separates words: "Rossi-Bianchi, S.p.A." -> "rossi bianchi spa"


def company_name_key(name: str) -> str:
    """The key two company names are the same company by: folded, without punctuation and without its legal forms
    at the end. 'Officine Meccaniche Lombarde S.r.l.' and 'officine meccaniche lombarde srl' are both
    'officine meccaniche lombarde'; 'Müller GmbH & Co. KG' is 'muller'. A name that is only a legal form keeps it.
    Stored as a company's `sort_name` (models/records/service.derive_columns), so the database compares it."""
    words = _PUNCTUATION.sub(' ', _DOTS.sub('', fold(name))).split()
    while True:
        for length in range(min(_LONGEST_FORM, len(words) - 1), 0, -1):
            if ''.join(words[-length:]) in LEGAL_FORMS:
                words = words[:-length]
                break
        else:
            return ' '.join(words)
