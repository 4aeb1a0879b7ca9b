"""The duplicates page (NiceGUI's simulated user): the review list, the side-by-side merge, undo."""
from __future__ import annotations

from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from models.records import service as records
from models.work.connections import link
from models.work.tables import Connection
from models.records.tables import COMPANY, CONTACT, Contact
from models.work.service import create_item
from models.work.tables import PROJECT
from tests.drivers import element, log_in


async def test_review_merge_and_undo_two_contacts(user: User, acme):
    org = acme.owner.membership
    keep = await records.create_record(CONTACT, org, {'first_name': 'Andre', 'last_name': 'Muller',
                                                      'emails': ['andre@example.com'], 'phones': ['02 1234 5678']})
    other = await records.create_record(CONTACT, org, {'first_name': 'André', 'last_name': 'Müller',
                                                       'emails': ['andre@example.com', 'am@example.org'],
                                                       'pec': 'andre@pec.example.it'})
    project = await create_item(PROJECT, org, {'name': 'Fair'})
    await link(org, {'contact_id': other.id, 'project_id': project.id})
    await records.create_record(CONTACT, org, {'last_name': '<b>Alone</b>'})

    await log_in(user, acme.owner, path='/contacts')
    user.find(marker='list-duplicates').click()
    await user.should_see(marker='dups-group')
    await user.should_see(content='same email', marker='dups-reason')
    await user.should_see(content='same name', marker='dups-reason')
    await user.should_see(content='1 pair of likely duplicate contacts', marker='dups-total')

    reviews = user.find(marker='dups-review').elements
    assert len(reviews) == 1  # one pair, with both reasons
    UserInteraction(user, reviews, None).click()
    await user.should_see(marker='merge-dialog')
    await user.should_see(content='1 connection', marker='merge-moved')
    assert len(user.find(marker='pick-emails').elements) == 2  # the union, deduplicated
    element(user, 'choice-first_name').value = 'other'
    element(user, 'choice-pec').value = 'other'
    user.find(marker='merge-confirm').click()
    await user.should_see(marker='merge-undo-last')
    await user.should_see(marker='dups-none')

    merged = await Contact.get(id=keep.id)
    assert (merged.first_name, merged.last_name, merged.pec) == ('André', 'Muller', 'andre@pec.example.it')
    assert merged.emails == ['andre@example.com', 'am@example.org']
    assert not await Contact.filter(id=other.id).exists()
    assert await Connection.filter(contact_id=keep.id, project_id=project.id).exists()
    await user.should_see(marker='merge-row')

    user.find(marker='merge-undo-last').click()
    await user.should_see('Merge undone')
    restored = await Contact.get(id=other.id)
    assert (restored.first_name, restored.pec, restored.emails) == \
        ('André', 'andre@pec.example.it', ['andre@example.com', 'am@example.org'])
    assert (await Contact.get(id=keep.id)).first_name == 'Andre'
    assert await Connection.filter(contact_id=other.id, project_id=project.id).exists()
    await user.should_see(marker='merges-none')


async def test_too_many_emails_ask_the_user_to_untick(user: User, acme):
    org = acme.owner.membership
    await records.create_record(COMPANY, org, {'name': 'Rossi', 'emails': ['1@x.it', '2@x.it']})
    await records.create_record(COMPANY, org, {'name': 'Rossi', 'emails': ['3@x.it', '4@x.it']})
    await log_in(user, acme.owner, path='/duplicates?kind=company')
    await user.should_see(content='same name', marker='dups-reason')
    user.find(marker='dups-review').click()
    await user.should_see(marker='over-emails')
    user.find(marker='merge-confirm').click()
    await user.should_see('Emails: 4 chosen: choose at most 3 to keep')
    next(iter(user.find(marker='pick-emails').elements)).value = False
    user.find(marker='merge-confirm').click()
    await user.should_see(marker='merge-undo-last')
    assert len((await records.list_records(COMPANY, org)).items) == 1


async def test_guests_do_not_see_the_page(user: User, acme):
    await log_in(user, acme.guest, path='/duplicates')
    await user.should_see(marker='no-access')
    await user.should_not_see(marker='dups-group')


async def test_recent_merges_never_show_a_private_record_to_who_could_not_see_it(user: User, acme):
    """A member merged their private contact into a public one: the owner's page lists no such merge."""
    from models.duplicates.merging import merge

    as_mario = acme.member.membership
    public = await records.create_record(CONTACT, as_mario, {'last_name': 'Rossi'})
    secret = await records.create_record(CONTACT, as_mario, {'first_name': 'Segreto', 'last_name': 'Rossi',
                                                             'visibility': 'private'})
    await merge(CONTACT, as_mario, public.id, secret.id)

    await log_in(user, acme.owner, path='/duplicates')
    await user.should_see(marker='merges-none')
    await user.should_not_see('Segreto')
    await user.should_not_see(marker='merge-row')


async def test_a_pair_is_listed_once_by_name_and_company_with_every_reason(user: User, acme):
    """Issue 14: the same two contacts were listed three times (same email, phone, name), as "#28" and keys."""
    org = acme.owner.membership
    rossi = await records.create_record(COMPANY, org, {'name': 'Rossi S.r.l.'})
    keep = await records.create_record(CONTACT, org, {'first_name': 'Mario', 'last_name': 'Rossi',
                                                      'emails': ['mario@rossi.it'], 'phones': ['02 1234 5678'],
                                                      'company_id': rossi.id, 'description': 'Met at the fair'})
    other = await records.create_record(CONTACT, org, {'first_name': 'Mario', 'last_name': 'Rossi',
                                                       'emails': ['MARIO@rossi.it'], 'phones': ['+39 02 12345678'],
                                                       'description': 'Prefers phone calls'})
    await log_in(user, acme.owner, path='/duplicates')
    await user.should_see(content='1 pair of likely duplicate contacts', marker='dups-total')
    assert len(user.find(marker='dups-group').elements) == 1
    reasons = {e.text for e in user.find(marker='dups-reason').elements}
    assert reasons == {'same email: mario@rossi.it', 'same phone: 02 1234 5678', 'same name'}
    assert [e.text for e in user.find(marker='dups-member').elements] == ['Mario Rossi', 'Mario Rossi']
    await user.should_see(content='Rossi S.r.l.', marker='dups-member-company')
    await user.should_not_see(f'#{keep.id}')
    await user.should_not_see('+390212345678')
    await user.should_not_see('rossi mario')  # the folded name is a key, not something to show
    await user.should_not_see(marker='dups-pager')  # one page: no Previous and Next

    user.find(marker='dups-review').click()
    await user.should_see(content='Keeps "Mario Rossi, Rossi S.r.l." and removes "Mario Rossi"', marker='merge-pair')
    element(user, 'choice-description').value = 'both'
    user.find(marker='merge-confirm').click()
    await user.should_see(marker='merge-undo-last')
    merged = await Contact.get(id=keep.id)
    assert merged.description == ('Met at the fair\n\n--- From the merged contact "Mario Rossi" ---\n'
                                  'Prefers phone calls')
    assert not await Contact.filter(id=other.id).exists()
async def test_the_merge_dialog_shows_mentions_as_names(user: User, acme):
    org = acme.owner.membership
    await records.create_record(CONTACT, org, {'first_name': 'Ada', 'last_name': 'Neri', 'emails': ['ada@example.com'],
                                               'description': f'Met with {acme.member.mention} at the fair'})
    await records.create_record(CONTACT, org, {'first_name': 'Ada', 'last_name': 'Neri', 'emails': ['ada@example.com'],
                                               'description': f'Ask {acme.owner.mention}'})
    await log_in(user, acme.owner, path='/duplicates')
    UserInteraction(user, {user.find(marker='dups-review').elements.pop()}, None).click()
    await user.should_see(marker='merge-dialog')
    labels = set(element(user, 'choice-description')._labels)
    assert labels == {'Met with @Mario Member at the fair', 'Ask @Olga Owner', 'Keep both (joined)'}
    await user.should_not_see('(user:')


async def test_an_italian_user_reviews_duplicates_in_italian(user: User, acme):
    org = acme.owner.membership
    await records.create_record(CONTACT, org, {'first_name': 'Ada', 'last_name': 'Lovelace',
                                               'emails': ['ada@example.com']})
    await records.create_record(CONTACT, org, {'last_name': 'Lovelace', 'emails': ['ada@example.com']})
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    await log_in(user, acme.owner, path='/duplicates')
    await user.should_see(content='1 coppia di probabili contatti duplicati', marker='dups-total')
    await user.should_see('Unioni recenti')
    await user.should_see('Nessuna unione da annullare.', marker='merges-none')
    await user.should_not_see('Recent merges')
    await user.should_not_see('pair of likely duplicate')
    user.find(marker='dups-review').click()
    await user.should_see(marker='merge-dialog')
    await user.should_see('Unisci due contatti')
    await user.should_see(content='Passa al record tenuto: nient’altro', marker='merge-moved')
    await user.should_not_see('Merge two contacts')
    user.find(marker='merge-confirm').click()
    await user.should_see(content='è stato unito in', marker='merge-done')
    await user.should_see(content='0 coppie di probabili contatti duplicati', marker='dups-total')
    user.find(marker='merge-undo-last').click()
    await user.should_see(content='1 coppia di probabili contatti duplicati', marker='dups-total')
    await user.should_see('Unione annullata')
