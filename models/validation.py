"""Validation and normalization of single values, with libraries made for each job.

Every function takes the field name so that the error it raises names the field.
"""
from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
import pycountry
import stdnum
from email_validator import EmailNotValidError, validate_email
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nif, siren, siret, tva
from stdnum.it import codicefiscale, iva

from .errors import ValidationFailed
from .i18n import _, ngettext
from .text import fold

NAME_MAX = 200
MAX_EMAILS = 3
MAX_PHONES = 3
MAX_ADDRESSES = 3
ADDRESS_FIELDS = ('street', 'city', 'postal_code', 'province', 'country')
VAT_MAX = 32
REGISTRATION_MAX = 32
DESCRIPTION_MAX = 20_000
PASSWORD_MIN = 8
PASSWORD_MAX = 1024  # argon2 hashes anything, but a megabyte password is an attack, not a password


# What text may hold, by class of character (single-line fields: names, titles, address parts, list entries;
# multi-line text: a description):
# - refused, with a message naming the field and the character: control characters (C0, DEL, C1; in multi-line
#   text, line feeds and tabs are kept), the controls that override or isolate the text direction (they make a name
#   read differently from what is stored: "evil\u202etxt.exe"), line and paragraph separators in single-line fields,
#   and lone surrogates (not text at all; the database would refuse them);
# - dropped: invisible zero-width characters (zero-width space, word joiner, byte order mark, Mongolian vowel
#   separator), and the zero-width (non-)joiners except between two non-ASCII letters or symbols, where Persian,
#   Indic scripts and emoji sequences need them; elsewhere they only make two equal-looking names differ;
# - kept: everything else, including the left-to-right and right-to-left marks, which mixed-direction text needs.
_DIRECTION_CONTROLS = frozenset('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069')
_ZERO_WIDTH = frozenset('\u200b\u2060\ufeff\u180e')
_JOINERS = frozenset('\u200c\u200d')
_LINE_BREAKS = frozenset('\n\r\t\x0b\x0c\x85\u2028\u2029')
# any character the rules above look at: text without one (nearly all) is only trimmed
_SPECIAL = re.compile('[\x00-\x1f\x7f-\x9f\u180e\u200b-\u200d\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069'
                      '\ufeff\ud800-\udfff]')


def _joins(text: str, i: int) -> bool:
    """Whether the joiner at text[i] sits between two characters that may need it (neither ASCII nor a space)."""
    before, after = text[i - 1:i], text[i + 1:i + 2]
    return all(c and not c.isascii() and not c.isspace() and c not in _JOINERS for c in (before, after))


def _refusal(char: str, multiline: bool) -> str | None:
    code = f'U+{ord(char):04X}'
    if char in _LINE_BREAKS and not multiline:
        return _('must be a single line (no line breaks or tabs)')
    if unicodedata.category(char) == 'Cc':
        return (_('must not contain NUL characters') if char == '\x00'
                else _('must not contain control characters ({code})', code=code))
    if char in _DIRECTION_CONTROLS:
        return _('must not contain characters that override the text direction ({code})', code=code)
    if unicodedata.category(char) == 'Cs':
        return _('contains an invalid character ({code})', code=code)
    return None


def _screened(field: str, text: str, multiline: bool) -> str:
    if multiline:
        text = text.replace('\r\n', '\n').translate({ord('\r'): '\n', 0x2028: '\n', 0x2029: '\n'})
    kept_breaks = frozenset('\n\t') if multiline else frozenset()
    kept: list[str] = []
    for i, char in enumerate(text):
        if char in _ZERO_WIDTH or (char in _JOINERS and not _joins(text, i)):
            continue
        if char not in kept_breaks and (problem := _refusal(char, multiline)):
            raise ValidationFailed.one(field, problem)
        kept.append(char)
    return ''.join(kept)


def too_long(limit: int) -> str:
    """The message for a text longer than `limit` characters."""
    return ngettext('must be at most {count} character', 'must be at most {count} characters', limit)


def unknown_fields(names) -> str:
    """The message for fields a client sent that the thing has not (their names as sent)."""
    names = list(names)
    return ngettext('unknown field: {names}', 'unknown fields: {names}', len(names), names=', '.join(names))


def clean_text(field: str, value: object, *, required: bool = False, max_length: int = NAME_MAX,
               multiline: bool = False) -> str:
    """Trimmed text, '' when empty; characters that hide or disguise what it says are refused or dropped (see
    above). `multiline` text keeps its line breaks (as \\n) and tabs."""
    if value is None:
        value = ''
    if not isinstance(value, str):
        raise ValidationFailed.one(field, _('must be text'))
    text = value.strip()
    if _SPECIAL.search(text):
        text = _screened(field, text, multiline).strip()
    if required and not text:
        raise ValidationFailed.one(field, _('is required'))
    if len(text) > max_length:
        raise ValidationFailed.one(field, too_long(max_length))
    return text


@functools.lru_cache(maxsize=1024)
def _email_syntax(text: str) -> tuple[str, str]:
    """(the normalized address, '') or ('', why it is not valid, in email_validator's words). Remembered for the
    last addresses checked: an import checks each row's addresses for its keys, then again with the row's other
    fields (clean_fields), and the second check is then only a look-up. The language of a message is added by the
    caller, so a remembered answer is right in any language."""
    try:
        return validate_email(text, check_deliverability=False).normalized, ''
    except EmailNotValidError as e:
        return '', str(e)


def normalize_email(field: str, value: object) -> str:
    """A syntactically valid address (no DNS lookups), its domain in lower case."""
    text = clean_text(field, value, required=True, max_length=254)
    address, reason = _email_syntax(text)
    if reason:
        raise ValidationFailed.one(field, _('is not a valid email address ({reason})', reason=reason))
    return address


def account_email(field: str, value: object) -> str:
    """Account emails compare case-insensitively, so they are stored in lower case."""
    return normalize_email(field, value).lower()


def check_password(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationFailed.one(field, _('must be text'))
    if len(value) < PASSWORD_MIN:
        raise ValidationFailed.one(field, ngettext('must be at least {count} character',
                                                   'must be at least {count} characters', PASSWORD_MIN))
    if len(value) > PASSWORD_MAX:
        raise ValidationFailed.one(field, too_long(PASSWORD_MAX))
    return value


def country_code(field: str, value: object, *, required: bool = True) -> str:
    """An ISO 3166-1 alpha-2 code in upper case."""
    text = clean_text(field, value, required=required, max_length=2).upper()
    if not text:
        return ''
    if len(text) != 2 or pycountry.countries.get(alpha_2=text) is None:
        raise ValidationFailed.one(field, _('{value!r} is not an ISO 3166 two-letter country code', value=text))
    return text


# ---------------------------------------------------------------- contact details

def _list(field: str, value: object, limit: int) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed.one(field, _('must be a list'))
    if len(value) > limit:
        raise ValidationFailed.one(field, ngettext('may hold at most {count} value', 'may hold at most {count} values',
                                                   limit))
    return value


def email_list(field: str, value: object) -> list[str]:
    """Up to three distinct valid addresses; empty entries are dropped."""
    checks = FieldErrors()
    addresses: list[str] = []
    for i, item in enumerate(_list(field, value, MAX_EMAILS)):
        if isinstance(item, str) and not item.strip():
            continue
        address = checks.check(normalize_email, f'{field}[{i}]', item)
        if address is None:
            continue
        if address.lower() in (a.lower() for a in addresses):
            checks.add(f'{field}[{i}]', _('{value} is in the list twice', value=address))
        addresses.append(address)
    checks.raise_if_any()
    return addresses


def optional_email(field: str, value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ''
    return normalize_email(field, value)


def phone_number(field: str, value: object, *, region: str) -> str:
    """A valid number in E.164; without an international prefix it is read in the organization's country."""
    text = clean_text(field, value, required=True, max_length=40)
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        raise ValidationFailed.one(field, _('{value!r} is not a phone number', value=text)) from None
    if not phonenumbers.is_valid_number(number):
        if region and not text.startswith(('+', '00')):
            raise ValidationFailed.one(field, _('{value!r} is not a valid phone number (read as a number of {country})',
                                                value=text, country=region))
        raise ValidationFailed.one(field, _('{value!r} is not a valid phone number', value=text))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_list(field: str, value: object, *, region: str) -> list[str]:
    checks = FieldErrors()
    numbers: list[str] = []
    for i, item in enumerate(_list(field, value, MAX_PHONES)):
        if isinstance(item, str) and not item.strip():
            continue
        number = checks.check(phone_number, f'{field}[{i}]', item, region=region)
        if number is None:
            continue
        if number in numbers:
            checks.add(f'{field}[{i}]', _('{value} is in the list twice', value=item))
        numbers.append(number)
    checks.raise_if_any()
    return numbers


def display_phone(e164: str, region: str = '') -> str:
    """'+390212345678' -> '02 1234 5678' at home, '+39 02 1234 5678' abroad."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    home = phonenumbers.region_code_for_number(number) == region
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL if home
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _one_line(value: object) -> object:
    """An address part written on several lines (a street and its second line, from a vCard or a spreadsheet) is
    one part: its lines are joined with commas."""
    if not isinstance(value, str):
        return value
    return ', '.join(line.strip() for line in re.split(r'[\r\n\x0b\x0c\x85\u2028\u2029]+', value) if line.strip())


def address_list(field: str, value: object) -> list[dict[str, str]]:
    """Up to three addresses of street, city, postal code, province and country; blank ones are dropped."""
    checks = FieldErrors()
    addresses: list[dict[str, str]] = []
    for i, item in enumerate(_list(field, value, MAX_ADDRESSES)):
        where = f'{field}[{i}]'
        if not isinstance(item, dict):
            checks.add(where, _('must be an object with street, city, postal_code, province, country'))
            continue
        unknown = sorted(set(item) - set(ADDRESS_FIELDS))
        if unknown:
            checks.add(where, unknown_fields(map(str, unknown)))
            continue
        address = {name: checks.check(clean_text, f'{where}.{name}', _one_line(item.get(name))) or ''
                   for name in ADDRESS_FIELDS if name != 'country'}
        address['country'] = checks.check(country_code, f'{where}.country', item.get('country'), required=False) or ''
        if any(address.values()):
            addresses.append(address)
    checks.raise_if_any()
    return addresses


_EU_PREFIXES = {'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'EL', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE',
                'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'XI'}
_EU_COUNTRIES = _EU_PREFIXES - {'EL', 'XI'}  # as addresses write them (Greece is GR, its VAT prefix EL)
_CODICE_FISCALE = re.compile(r'^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$')
_SDI_CODE = re.compile(r'[A-Z0-9]{7}')
_SEPARATORS = re.compile(r'[\s.\-/]')


def record_country(addresses: object, default: str) -> str:
    """The country a record's tax code and register number are read in: the country of its first address, the main
    one (a German supplier of an Italian organization), else `default`, the organization's country."""
    first = addresses[0] if isinstance(addresses, list) and addresses else None
    if isinstance(first, dict) and isinstance(first.get('country'), str) and first['country'].strip():
        return first['country'].strip().upper()
    return default


def _national_tax_code(compact: str, country: str) -> bool:
    """Checks `compact` as a tax code of `country` when it has that country's shape (StdnumError when it fails its
    checksum); False when it has none of them."""
    if country == 'IT' and compact.isdigit() and len(compact) == 11:
        iva.validate(compact)
    elif country == 'IT' and _CODICE_FISCALE.match(compact):
        codicefiscale.validate(compact)
    elif country == 'FR' and compact.isdigit() and len(compact) in (9, 11, 13, 14):
        {9: siren, 11: tva, 13: nif, 14: siret}[len(compact)].validate(compact)
    elif country in _EU_COUNTRIES and country not in ('IT', 'FR') and compact[:2] not in _EU_PREFIXES:
        eu_vat.validate(('EL' if country == 'GR' else country) + compact)
    else:
        return False
    return True


def _national_refusal(compact: str, country: str, reason: object) -> str:
    if country == 'IT':
        return (_('{value} is not a valid partita IVA ({reason})', value=compact, reason=reason) if compact.isdigit()
                else _('{value} is not a valid codice fiscale ({reason})', value=compact, reason=reason))
    if country == 'FR':
        return {9: _('{value} is not a valid SIREN ({reason})', value=compact, reason=reason),
                11: _('{value} is not a valid French VAT number ({reason})', value=compact, reason=reason),
                13: _('{value} is not a valid numéro fiscal ({reason})', value=compact, reason=reason),
                14: _('{value} is not a valid SIRET ({reason})', value=compact, reason=reason)}[len(compact)]
    return _('{value} is not a valid VAT number of {country} ({reason})', value=compact, country=country,
             reason=reason)


def _unknown_tax_code(country: str) -> str:
    """What a tax code of `country` may be, for one that has none of the shapes."""
    if country == 'IT':
        return _('must be a partita IVA (11 digits), a codice fiscale (16 characters) or a VAT number with its '
                 'country prefix')
    if country == 'FR':
        return _('must be a SIREN (9 digits), a SIRET (14 digits), a French VAT number, a numéro fiscal (13 digits) '
                 'or a VAT number with its country prefix')
    return _('must be a VAT number of {country} or a VAT number with its country prefix', country=country)


def _foreign_module(country: str):
    """The stdnum module for the VAT numbers of `country` when it is not in the EU (Switzerland, the United
    Kingdom, Norway...), else None: a country stdnum does not know takes any letters and digits."""
    if not country or country in _EU_COUNTRIES:
        return None
    return stdnum.get_cc_module(country.lower(), 'vat')


def vat_number(field: str, value: object, *, country: str = '') -> str:
    """A tax code read in the record's country (record_country), upper case without spaces or separators:
    - an EU VAT number with its prefix (any member state) is always accepted, when it passes its checksum;
    - IT: a partita IVA or a codice fiscale; FR: a SIREN, a SIRET, a French VAT number or a numéro fiscal (a
      person's); another EU country: its VAT number (with or without its prefix); each passing its checksum;
    - a country outside the EU whose VAT numbers stdnum knows (CH, GB, NO...): one of them; any other country (or
      none): letters and digits."""
    text = clean_text(field, value, max_length=VAT_MAX + 16)
    compact = _SEPARATORS.sub('', text).upper()
    if not compact:
        return ''
    if len(compact) > VAT_MAX or not compact.isalnum() or not compact.isascii():
        raise ValidationFailed.one(field, _('must be letters and digits only, at most {count}', count=VAT_MAX))
    country = country.upper()
    try:
        if _national_tax_code(compact, country):
            return compact
    except StdnumError as e:
        raise ValidationFailed.one(field, _national_refusal(compact, country, e)) from None
    if compact[:2] in _EU_PREFIXES and any(c.isdigit() for c in compact[2:]):
        try:
            eu_vat.validate(compact)
        except StdnumError as e:
            raise ValidationFailed.one(field, _('{value} is not a valid EU VAT number ({reason})', value=compact,
                                                reason=e)) from None
        return compact
    if country in _EU_COUNTRIES:
        raise ValidationFailed.one(field, _unknown_tax_code(country))
    module = _foreign_module(country)
    if module is not None:
        try:
            module.validate(compact)
        except StdnumError as e:
            raise ValidationFailed.one(field, _('{value} is not a valid VAT number of {country} ({reason})',
                                                value=compact, country=country, reason=e)) from None
    return compact


def sdi_code(field: str, value: object) -> str:
    """An Italian codice destinatario SDI, where the company receives electronic invoices: 7 letters or digits, in
    upper case ('0000000' for invoices sent to its PEC)."""
    compact = clean_text(field, value, max_length=40).replace(' ', '').upper()
    if compact and not _SDI_CODE.fullmatch(compact):
        raise ValidationFailed.one(field, _('must be exactly 7 letters or digits (0000000 when invoices go to the '
                                            'PEC)'))
    return compact


def registration_number(field: str, value: object, *, country: str = '') -> str:
    """A company's register number: in France (record_country FR) a SIREN (9 digits) or a SIRET (14 digits)
    passing its checksum, kept as digits; elsewhere any single line of text up to REGISTRATION_MAX characters."""
    if country.upper() != 'FR':
        return clean_text(field, value, max_length=REGISTRATION_MAX)
    compact = _SEPARATORS.sub('', clean_text(field, value, max_length=REGISTRATION_MAX + 16))
    if not compact:
        return ''
    if not (compact.isdigit() and compact.isascii() and len(compact) in (9, 14)):
        raise ValidationFailed.one(field, _('must be a SIREN (9 digits) or a SIRET (14 digits)'))
    try:
        (siren if len(compact) == 9 else siret).validate(compact)
    except StdnumError as e:
        raise ValidationFailed.one(field, _national_refusal(compact, 'FR', e)) from None
    return compact


def choice(field: str, value: object, *, allowed: list[str]) -> str:
    """A value from one of the organization's option lists ('' for none)."""
    text = clean_text(field, value, max_length=100)
    if text and text not in allowed:
        raise ValidationFailed.one(field, _('{value!r} is not in the list ({options})', value=text,
                                            options=', '.join(allowed) or _('empty')))
    return text


def matching_option(value: str, allowed: list[str]) -> str | None:
    """The value of an option list that `value` names, written as the list writes it: the same text, else the same
    once case and accents are set aside ("cliente", "CLIENTE" -> "Cliente"); None when the list has no such value
    (an import then says so and leaves the field empty: it never adds to the organization's lists)."""
    text = value.strip()
    if text in allowed:
        return text
    key = fold(text)
    return next((option for option in allowed if fold(option) == key), None)


class FieldErrors:
    """Runs several field checks and reports every failing field at once, not just the first."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, validate, field: str, value: object, **options):
        try:
            return validate(field, value, **options)
        except ValidationFailed as e:
            self.errors.update(e.errors)
            return None

    def add(self, field: str, message: str) -> None:
        self.errors[field] = message

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
