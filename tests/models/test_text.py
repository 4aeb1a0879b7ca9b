"""Folding text, and the one key company names are compared by (import, copy, duplicates)."""
from __future__ import annotations

import pytest

from models.text import company_name_key


@pytest.mark.parametrize('spellings', [
    ('Officine Meccaniche Lombarde S.r.l.', 'officine meccaniche lombarde srl', 'OFFICINE MECCANICHE LOMBARDE SRL',
     'Officine Meccaniche Lombarde s. r. l.', 'Officine Meccaniche Lombarde, Srl', 'Officine  Meccaniche Lombarde'),
    ('Caffè Napoli S.p.A.', 'CAFFE NAPOLI SPA', 'Caffé Napoli SpA'),
    ('Bianchi & Rossi S.a.s.', 'bianchi & rossi sas', 'BIANCHI & ROSSI S.A.S'),
    ('Verdi S.n.c.', 'verdi snc'),
    ('Boulangerie Lefèvre SARL', 'boulangerie lefevre', 'Boulangerie Lefèvre S.A.R.L.'),
    ('Dupont SAS', 'Dupont S.A.S.', 'dupont sa'),
    ('Müller GmbH', 'MULLER GMBH', 'Müller GmbH & Co. KG', 'Müller AG'),
    ('Acme Ltd', 'Acme Limited', 'ACME LLC', 'Acme, Inc.', 'acme inc'),
])
def test_spellings_of_one_company_have_one_key(spellings):
    assert len({company_name_key(s) for s in spellings}) == 1, [company_name_key(s) for s in spellings]


def test_different_companies_keep_different_keys_and_a_bare_legal_form_stays():
    assert company_name_key('Officine Meccaniche Lombarde S.r.l.') != company_name_key('Officine Meccaniche Venete')
    assert company_name_key('Rossi-Bianchi S.p.A.') == 'rossi bianchi'
    assert company_name_key('SpA') == 'spa' and company_name_key('S.r.l.') == 'srl'
    assert company_name_key('') == ''
    assert company_name_key('Scuola Sci') == 'scuola sci'  # only legal forms go, not any short word
