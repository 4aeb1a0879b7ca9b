"""The dashboard page shows the viewer's own figures: only what they may see, and nothing of records to a guest."""
from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from models.imports.writing import import_file
from models.orgs import service as orgs
from models.records.service import create_record
from models.records.tables import COMPANY, CONTACT
from tests.drivers import log_in
from tests.helpers import make_user


def _texts(user: User, marker: str) -> list[str]:
    return [element.text for element in user.find(marker=marker).elements]


def _chart(user: User, marker: str) -> dict[str, int]:
    chart, = user.find(marker=marker).elements
    return {point['name']: point['value'] for point in chart.options['series'][0]['data']}


@pytest.fixture
async def made(acme) -> dict:
    """Records Tina made, public and private, some mentioning Mario: the viewer whose dashboard is checked."""
    as_writer = acme.other.membership
    mention = f'ask {acme.member.mention}'
    made = {}
    for last_name, type_, visibility, description in (
            ('Alpha', 'Client', 'public', ''), ('Beta', 'Client', 'public', mention),
            ('Hiddenname', 'Supplier', 'private', ''), ('Toldname', 'Supplier', 'private', mention),
            ('Gamma', 'Lead', 'public', '')):
        made[last_name] = await create_record(CONTACT, as_writer, {'last_name': last_name, 'type': type_,
                                                                   'visibility': visibility,
                                                                   'description': description})
    made['Open Spa'] = await create_record(COMPANY, as_writer, {'name': 'Open Spa', 'type': 'Partner'})
    made['Secret Srl'] = await create_record(COMPANY, as_writer, {'name': 'Secret Srl', 'type': 'Client',
                                                                  'visibility': 'private'})
    return made


async def test_the_dashboard_counts_what_the_viewer_may_see(user: User, acme, made):
    await log_in(user, acme.member)
    await user.should_see(marker='welcome')
    await user.should_see('Acme · your role: member', marker='active-org')
    assert _texts(user, 'dash-contacts-total') == ['4']  # Alpha, Beta, Gamma, and Toldname that mentions them
    assert _texts(user, 'dash-companies-total') == ['1']
    assert _texts(user, 'dash-mentions-total') == ['2']
    assert _chart(user, 'chart-contacts-by-type') == {'Client': 2, 'Supplier': 1, 'Lead': 1}
    assert _chart(user, 'chart-companies-by-type') == {'Partner': 1}
    mentions = {marker for e in user.find(marker='mention-item').elements for marker in e._markers}
    assert mentions - {'mention-item'} == {f'mention-item-contact-{made["Beta"].id}',
                                           f'mention-item-contact-{made["Toldname"].id}'}
    recent = {marker for e in user.find(marker='recent-item').elements for marker in e._markers}
    assert f'recent-item-contact-{made["Alpha"].id}' in recent
    assert f'recent-item-company-{made["Open Spa"].id}' in recent
    assert f'recent-item-contact-{made["Hiddenname"].id}' not in recent
    assert f'recent-item-company-{made["Secret Srl"].id}' not in recent
    await user.should_not_see('Hiddenname')
    await user.should_not_see('Secret Srl')
    await user.should_see(marker='no-work')


async def test_the_owner_has_no_bypass_on_the_dashboard(user: User, acme, made):
    await log_in(user, acme.owner)
    assert _texts(user, 'dash-contacts-total') == ['3']
    assert _chart(user, 'chart-contacts-by-type') == {'Client': 2, 'Lead': 1}
    assert _texts(user, 'dash-mentions-total') == ['0']
    await user.should_see(marker='no-mentions')
    await user.should_not_see('Toldname')


async def test_a_guest_sees_no_figures(user: User, acme, made):
    await orgs.change_role(actor=acme.owner.membership, user_id=acme.member.id, role='guest')
    await log_in(user, acme.member)
    await user.should_see('Acme · your role: guest', marker='active-org')
    await user.should_see(marker='guest-dashboard-note')
    for marker in ('dash-contacts-total', 'dash-companies-total', 'dash-mentions-total', 'chart-contacts-by-type',
                   'recent-item', 'mention-item', 'no-work'):
        await user.should_not_see(marker=marker)
    await user.should_not_see(kind=ui.echart)
    await user.should_not_see('Alpha')


async def test_an_empty_organization_says_so(user: User, make_org):
    empty = await make_org('Empty')
    await log_in(user, empty.owner)
    assert _texts(user, 'dash-contacts-total') == ['0']
    await user.should_see(marker='chart-contacts-by-type-empty')
    await user.should_see(marker='chart-companies-by-type-empty')
    await user.should_see(marker='no-recent')


async def test_the_same_figures_through_the_api(client, acme, made):
    url = f'/api/v1/orgs/{acme.id}/dashboard'
    body = (await client.get(url, headers=acme.member.auth)).json()
    assert body['contacts'] == {'total': 4, 'by_type': [{'type': 'Client', 'count': 2},
                                                        {'type': 'Lead', 'count': 1},
                                                        {'type': 'Supplier', 'count': 1}]}
    assert body['companies']['total'] == 1 and body['mentions']['total'] == 2
    assert 'Hiddenname' not in str(body) and 'Secret Srl' not in str(body)
    await orgs.change_role(actor=acme.owner.membership, user_id=acme.member.id, role='guest')
    assert (await client.get(url, headers=acme.member.auth)).status_code == 403


# ------------------------------------------------------------------ the first steps, and the charts

def _steps(user: User) -> dict[str, bool]:
    """The checklist's steps, each done or not, in order."""
    steps = {}
    for row in user.find(marker='first-step').elements:
        name, = [m.removeprefix('first-step-') for m in row._markers if m not in
                 ('first-step', 'first-step-done', 'first-step-todo')]
        steps[name] = 'first-step-done' in row._markers
    return steps


async def test_a_new_organization_gets_a_checklist_that_follows_its_data(user: User, make_org):
    fresh = await make_org('Fresh', owner='Nora New', members=['Milo Mate'])
    await log_in(user, fresh.owner)
    await user.should_see(marker='first-steps')
    assert _steps(user) == {'contact': False, 'company': False, 'import': False, 'invite': True, 'options': False}
    await user.should_see(content='1 of 5 done', marker='first-steps-count')
    user.find(content='Add a contact', marker='first-step-todo-link').click()
    await user.should_see(content='New contact', marker='page-title')

    await create_record(CONTACT, fresh.owner.membership, {'last_name': 'First'})
    await user.open('/')
    await user.should_see(content='2 of 5 done', marker='first-steps-count')
    assert _steps(user)['contact']
    user.find(marker='first-steps-dismiss').click()
    await user.should_not_see(marker='first-steps')
    await user.open('/')  # hidden for good in this browser, for this organization
    await user.should_see(marker='welcome')
    await user.should_not_see(marker='first-steps')


async def test_a_member_has_the_steps_of_a_member(user: User, make_org):
    fresh = await make_org('Fresh', owner='Nora New', members=['Milo Mate'])
    await log_in(user, fresh.member)
    await user.should_see(marker='first-steps')
    assert _steps(user) == {'contact': False, 'company': False, 'import': False}


async def test_the_checklist_is_gone_once_every_step_is_done(user: User, acme):
    owner = acme.owner.membership
    await create_record(CONTACT, owner, {'last_name': 'Rossi'})
    await create_record(COMPANY, owner, {'name': 'Rossi Srl'})
    await log_in(user, acme.owner)
    await user.should_see(content='3 of 5 done', marker='first-steps-count')  # Acme has members already
    await import_file(owner, kind='company', data=b'Name\nImported Srl\n')
    await orgs.save_option_list(actor=owner, kind='sectors', names=['Aerospace'])
    await user.open('/')
    await user.should_see(marker='welcome')
    await user.should_not_see(marker='first-steps')


async def test_charts_are_drawn_at_once_and_fit_a_phone(user: User, acme, made):
    await log_in(user, acme.member)
    chart, = user.find(marker='chart-contacts-by-type').elements
    assert chart.options['animation'] is False
    narrow, = chart.options['media']
    assert narrow['query'] == {'maxWidth': 480}  # a phone's card: the counts inside the ring, the names below
    assert narrow['option']['series'][0]['label'] == {'position': 'inside', 'formatter': '{c}'}
    assert chart.options['legend']['bottom'] == 0


# ------------------------------------------------------------------ in the reader's language

async def test_an_italian_user_reads_the_dashboard_in_italian(user: User, acme, made):
    acme.member.user.language = 'it'
    await acme.member.user.save(update_fields=['language'])
    await log_in(user, acme.member)
    await user.should_see('Bacheca', marker='page-title')
    assert user.client.title == 'Bacheca · Rubrica'
    await user.should_see('Ciao, Mario Member', marker='welcome')
    await user.should_see('Acme · il tuo ruolo: membro', marker='active-org')
    for text in ('contatti', 'azienda', 'ti menzionano', 'Contatti per tipo', 'Aziende per tipo',
                 'Modificati di recente', 'Ti menzionano', 'Primi passi', '2 di 3 completati'):
        await user.should_see(text)
    await user.should_see('Nessuna tua attività o ticket aperto è collegato a un contatto.', marker='no-work')
    labels = [label.text for label in user.find(kind=ui.label).elements]
    assert any(text.startswith('Client · modificato il ') and text.endswith(' da Tina Other') for text in labels)
    for english in ('Welcome, Mario Member', 'Contacts by type', 'Recently updated', 'Getting started'):
        await user.should_not_see(english)


async def test_a_french_user_without_an_organization_is_told_so_in_french(user: User):
    person = await make_user('Fanny French')
    person.language = 'fr'
    await person.save(update_fields=['language'])
    await log_in(user, person)
    await user.should_see('Vous ne faites encore partie d’aucune organisation.', marker='no-org')
    await user.should_see('Créer une organisation', marker='create-first-org')
