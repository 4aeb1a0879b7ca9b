"""Text folding shared by sorting and searching: case- and accent-insensitive, so "André" sorts and matches as "andre"."""
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
