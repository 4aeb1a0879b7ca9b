"""The card's History tab and the /trash page (NiceGUI's simulated user)."""
from __future__ import annotations

from nicegui.testing import User

from models.history import notes
from models.history.tables import Note
from models.records import service as records
from models.records.tables import CONTACT, Contact
from tests.drivers import element, log_in


async def test_the_history_tab_shows_changes_and_takes_notes(user: User, acme):
    contact = await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Viola',
                                                                            'emails': ['v@example.com']})
    await records.update_record(CONTACT, acme.member.membership, contact.id,
                                {'emails': ['w@example.com'], 'phones': ['06 1234 5678', '+33 1 42 68 53 00']}, 1)
    await notes.add_note(CONTACT, acme.owner.membership, contact.id, text='Not mine to change')
    await log_in(user, acme.member, path=f'/contacts/{contact.id}')
    user.find(marker='tab-history').click()
    await user.should_see('Changed', marker='history-action')
    await user.should_see('Emails: v@example.com → w@example.com', marker='history-change')
    # phones as the card shows them (national in the organization's country), not as they are stored (E.164)
    await user.should_see('Phones: — → 06 1234 5678; +33 1 42 68 53 00', marker='history-change')
    await user.should_see('Created', marker='history-action')
    await user.should_see('Not mine to change')
    await user.should_not_see(marker='note-edit')  # Olga's note: Mario may not change it
    editor = element(user, 'note-text')
    editor.value = f'Call back {acme.other.mention}'
    user.find(marker='note-add').click()
    await user.should_see('Note added')
    await user.should_see('@Tina Other', marker='mention')
    assert await Note.filter(contact_id=contact.id, author_id=acme.member.id).count() == 1
    user.find(marker='note-delete').click()
    await user.should_see('Note deleted')
    assert not await Note.filter(contact_id=contact.id, author_id=acme.member.id).exists()


async def test_the_trash_page_restores_what_was_deleted(user: User, acme):
    contact = await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Viola'})
    await records.delete_record(CONTACT, acme.member.membership, contact.id)
    await log_in(user, acme.member, path='/trash')
    await user.should_see('Viola', marker='trash-name')
    await user.should_not_see(marker='trash-forever')  # owners only
    await user.should_not_see(marker='trash-empty')
    user.find(marker='trash-restore').click()
    await user.should_see(marker='tab-history')
    assert (await Contact.get(id=contact.id)).deleted_at is None
