"""Search over names, emails, PEC, phones and VAT numbers: one function for every list, always behind the gate.

Each record keeps a folded `search_text` (written when it is saved); a query matches when each of its
words is found in it. Phone numbers are kept as digits in their international and national forms, so
"02 1234 5678", "+39 02 1234 5678" and "390212345678" all find the same number.
"""
from __future__ import annotations

import re

import phonenumbers

from .text import digits, fold

_PHONE_LIKE = re.compile(r'^[\d\s+\-().\/]+$')
MIN_PHONE_DIGITS = 3


def _phone_forms(e164: str) -> list[str]:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return [digits(e164)]
    national = digits(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return list(dict.fromkeys([digits(e164), national]))


def document(record) -> str:
    """The folded text a record is found by."""
    names = [getattr(record, name, '') for name in ('first_name', 'last_name', 'name')]
    words = [fold(n) for n in names if n]
    words += [e.lower() for e in record.emails]
    if record.pec:
        words.append(record.pec.lower())
    if record.vat_number:
        words.append(record.vat_number.lower())
    for phone in record.phones:
        words += _phone_forms(phone)
    return ' '.join(words)


def terms(query: str) -> list[str]:
    """A phone-looking query is one run of digits; anything else is its folded words."""
    query = (query or '').strip()[:200]
    if _PHONE_LIKE.match(query) and len(digits(query)) >= MIN_PHONE_DIGITS:
        return [digits(query)]
    return fold(query).split()


def apply(queryset, query: str):
    """Narrow a (gated) queryset to the records matching every term of the query."""
    for term in terms(query):
        queryset = queryset.filter(search_text__contains=term)
    return queryset
