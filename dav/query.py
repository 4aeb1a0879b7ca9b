"""The filter of an addressbook-query REPORT (RFC 6352 §10.5): prop-filters with text-match or is-not-defined,
any or all of them, and a limit on the results. Matched on the card as the reader gets it."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from models.carddav.vcards import unfolded_lines

from .xml import CARDDAV, tag


@dataclass
class TextMatch:
    text: str
    match_type: str = 'contains'  # equals, contains, starts-with, ends-with
    negate: bool = False

    def matches(self, value: str) -> bool:
        value, text = value.casefold(), self.text.casefold()  # i;unicode-casemap, near enough
        found = {'equals': value == text, 'starts-with': value.startswith(text),
                 'ends-with': value.endswith(text)}.get(self.match_type, text in value)
        return found != self.negate


@dataclass
class PropFilter:
    name: str
    undefined: bool = False  # is-not-defined
    matches_all: bool = False
    texts: list[TextMatch] = field(default_factory=list)

    def matches(self, values: list[str]) -> bool:
        if self.undefined:
            return not values
        if not values:
            return False
        if not self.texts:
            return True
        results = (any(text.matches(value) for value in values) for text in self.texts)
        return all(results) if self.matches_all else any(results)


@dataclass
class Filter:
    props: list[PropFilter] = field(default_factory=list)
    matches_all: bool = False
    limit: int | None = None

    def matches(self, card: str) -> bool:
        if not self.props:
            return True
        values: dict[str, list[str]] = {}
        for line in unfolded_lines(card):
            head, _colon, value = line.partition(':')
            name = head.split(';', 1)[0].rsplit('.', 1)[-1].upper()
            values.setdefault(name, []).append(value.replace('\\,', ',').replace('\\;', ';'))
        results = (prop.matches(values.get(prop.name, [])) for prop in self.props)
        return all(results) if self.matches_all else any(results)


def query_filter(root: ET.Element) -> Filter:
    found = Filter()
    element = root.find(tag(CARDDAV, 'filter'))
    if element is not None:
        found.matches_all = element.get('test', 'anyof') == 'allof'
        for prop in element.findall(tag(CARDDAV, 'prop-filter')):
            one = PropFilter(prop.get('name', '').upper(), matches_all=prop.get('test', 'anyof') == 'allof',
                             undefined=prop.find(tag(CARDDAV, 'is-not-defined')) is not None)
            for text in prop.findall(tag(CARDDAV, 'text-match')):
                one.texts.append(TextMatch(text.text or '', text.get('match-type', 'contains'),
                                           text.get('negate-condition', 'no') == 'yes'))
            found.props.append(one)
    limit = root.findtext(f"{tag(CARDDAV, 'limit')}/{tag(CARDDAV, 'nresults')}")
    if limit and limit.strip().isdigit():
        found.limit = int(limit.strip())
    return found
