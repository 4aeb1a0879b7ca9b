"""Notifications in the API: who is told of a mention, an assignment and an invitation (and who is not), what a
notification names once its record is hidden or deleted, marking read, another person's notification, and the mails
that follow each person's choice, through a real SMTP server (and one that refuses connections)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from models.mail import outbox
from models.mail.tables import OutgoingMail
from models.notifications.digest import send_digests
from tests.mailbox import SMTP_PASSWORD, Mailbox, link_in, mailbox, refusing_smtp, text_of  # noqa: F401

NOTIFICATIONS = '/api/v1/notifications'


async def _items(client, person, **params) -> dict:
    answer = await client.get(NOTIFICATIONS, params=params, headers=person.auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _mentions(client, person) -> list[dict]:
    return [item for item in (await _items(client, person))['items'] if item['kind'] == 'mentioned']


async def _contact(client, team, author, description: str, **fields) -> dict:
    made = await client.post(f'{team.base}/contacts', json={'first_name': 'Anna', 'last_name': 'Rossi',
                                                           'description': description, **fields},
                             headers=author.auth)
    assert made.status_code == 201, made.text
    return made.json()


async def test_a_mention_tells_the_mentioned_member_only_and_only_once(client, acme):
    mario, tina, olga = acme.member, acme.members[1], acme.owner
    contact = await _contact(client, acme, olga, f'Call {mario.mention} about it; {olga.mention} knows')

    [told] = await _mentions(client, mario)
    assert told['org_id'] == acme.id and told['read'] is False and told['at']
    assert told['record'] == {'kind': 'contact', 'id': contact['id'], 'name': 'Anna Rossi'}
    assert told['by'] == {'id': olga.id, 'name': 'Olga Owner'}
    assert await _mentions(client, olga) == []  # never the author, even when they mention themselves
    assert await _mentions(client, tina) == []

    # a later save that keeps the mention tells nobody again; a newly mentioned colleague is told
    changed = await client.patch(f'{acme.base}/contacts/{contact["id"]}', headers=olga.auth, json={
        'description': f'Call {mario.mention} and {tina.mention} about it', 'version': contact['version']})
    assert changed.status_code == 200, changed.text
    assert len(await _mentions(client, mario)) == 1
    assert [t['record']['id'] for t in await _mentions(client, tina)] == [contact['id']]
    again = await client.patch(f'{acme.base}/contacts/{contact["id"]}', headers=olga.auth,
                               json={'phones': ['+39 02 1234 5678'], 'version': changed.json()['version']})
    assert again.status_code == 200
    assert (len(await _mentions(client, mario)), len(await _mentions(client, tina))) == (1, 1)


async def test_a_mention_in_a_company_or_a_task_tells_too(client, acme):
    mario = acme.member
    company = await client.post(f'{acme.base}/companies', headers=acme.owner.auth,
                                json={'name': 'Acme Tools', 'description': f'Ask {mario.mention}'})
    task = await client.post(f'{acme.base}/tasks', headers=acme.owner.auth,
                             json={'title': 'Quote', 'description': f'{mario.mention} prepares it'})
    assert company.status_code == task.status_code == 201
    named = {(t['record']['kind'], t['record']['name']) for t in await _mentions(client, mario)}
    assert named == {('company', 'Acme Tools'), ('task', 'Quote')}


async def test_assigning_a_task_or_a_ticket_tells_the_assignee_but_not_who_takes_it_themselves(client, acme):
    gus, mario = acme.guest, acme.member
    ticket = (await client.post(f'{acme.base}/tickets', headers=acme.owner.auth,
                                json={'title': 'Login broken', 'assignee_id': gus.id})).json()
    await client.post(f'{acme.base}/tasks', headers=mario.auth, json={'title': 'Mine', 'assignee_id': mario.id})
    [given] = [t for t in (await _items(client, gus))['items'] if t['kind'] == 'assigned']
    assert given['record'] == {'kind': 'ticket', 'id': ticket['id'], 'name': 'Login broken'}
    assert given['by']['name'] == 'Olga Owner'
    assert not [t for t in (await _items(client, mario))['items'] if t['kind'] == 'assigned']

    # given to someone else later: they are told; a change that keeps the assignee tells nobody again
    moved = await client.patch(f'{acme.base}/tickets/{ticket["id"]}', headers=acme.owner.auth,
                               json={'assignee_id': mario.id})
    await client.patch(f'{acme.base}/tickets/{ticket["id"]}', headers=acme.owner.auth, json={'status': 'closed'})
    assert moved.status_code == 200
    assert len([t for t in (await _items(client, mario))['items'] if t['kind'] == 'assigned']) == 1


async def test_being_added_to_an_organization_is_a_notification(client, acme, elsewhere):
    otto = elsewhere.owner
    added = await client.post(f'{acme.base}/members', headers=acme.owner.auth,
                              json={'email': otto.email, 'role': 'member'})
    assert added.status_code == 201
    [invited] = [t for t in (await _items(client, otto))['items'] if t['kind'] == 'invited']
    assert invited['org_id'] == acme.id and invited['record'] is None
    assert invited['by'] == {'id': acme.owner.id, 'name': 'Olga Owner'}


async def test_a_record_made_private_without_the_reader_or_deleted_is_named_by_nothing(client, acme):
    mario, tina = acme.member, acme.members[1]
    kept = await _contact(client, acme, tina, f'{mario.mention} met her', last_name='Kept')
    hidden = await _contact(client, acme, tina, f'{mario.mention} met her', last_name='Secret')
    gone = await _contact(client, acme, tina, f'{mario.mention} met her', last_name='Gone')
    # the mention goes and the record becomes private: Mario may no longer see it
    private = await client.patch(f'{acme.base}/contacts/{hidden["id"]}', headers=tina.auth, json={
        'description': 'nobody', 'visibility': 'private', 'version': hidden['version']})
    assert private.status_code == 200, private.text
    assert (await client.delete(f'{acme.base}/contacts/{gone["id"]}', headers=tina.auth)).status_code == 204

    told = await _mentions(client, mario)
    assert len(told) == 3  # the entries stay
    assert [t['record'] for t in told if t['record']] == [{'kind': 'contact', 'id': kept['id'],
                                                           'name': 'Anna Kept'}]
    answer = (await client.get(NOTIFICATIONS, headers=mario.auth)).text
    assert 'Secret' not in answer and 'Gone' not in answer  # neither name, nor (record: null) id


async def test_read_one_read_all_unread_filter_and_paging(client, acme):
    mario = acme.member
    for n in range(3):
        await _contact(client, acme, acme.owner, f'{mario.mention} #{n}', last_name=f'N{n}')
    everything = await _items(client, mario)
    assert everything['total'] == 4  # three mentions and having been added to Acme
    assert [t['kind'] for t in everything['items']] == ['mentioned'] * 3 + ['invited']  # newest first
    newest = everything['items'][0]

    assert (await client.post(f'{NOTIFICATIONS}/{newest["id"]}/read', headers=mario.auth)).status_code == 204
    unread = await _items(client, mario, unread=1, limit=2)
    assert unread['total'] == 3 and len(unread['items']) == 2 and newest['id'] not in {t['id'] for t in
                                                                                        unread['items']}
    assert (await _items(client, mario, limit=2, offset=2))['items'][0]['id'] == everything['items'][2]['id']

    assert (await client.post(f'{NOTIFICATIONS}/read-all', headers=mario.auth)).status_code == 204
    assert (await _items(client, mario, unread=1))['total'] == 0
    assert (await _items(client, mario))['total'] == 4


async def test_another_persons_notification_does_not_exist(client, acme):
    await _contact(client, acme, acme.owner, f'{acme.member.mention}')
    [told] = await _mentions(client, acme.member)
    for outsider in (acme.members[1], acme.owner):
        answer = await client.post(f'{NOTIFICATIONS}/{told["id"]}/read', headers=outsider.auth)
        assert answer.status_code == 404
    assert (await client.post(f'{NOTIFICATIONS}/99999999/read', headers=acme.member.auth)).status_code == 404
    assert (await _mentions(client, acme.member))[0]['read'] is False
    assert (await client.get(NOTIFICATIONS)).status_code == 401
    assert (await client.get(NOTIFICATIONS, params={'limit': 0}, headers=acme.member.auth)).status_code == 422


async def test_mail_follows_each_persons_choice(mailbox: Mailbox, client, acme):
    mario, tina, olga = acme.member, acme.members[1], acme.owner
    for person, choice in ((tina, 'daily'), (olga, 'never')):
        changed = await client.patch('/api/v1/me', json={'notification_mail': choice}, headers=person.auth)
        assert changed.status_code == 200 and changed.json()['notification_mail'] == choice
    bad = await client.patch('/api/v1/me', json={'notification_mail': 'hourly'}, headers=mario.auth)
    assert bad.status_code == 422 and 'notification_mail' in bad.text

    contact = await _contact(client, acme, olga, f'{mario.mention} and {tina.mention}: call her')
    await client.post(f'{acme.base}/tasks', headers=mario.auth,
                      json={'title': 'Follow up', 'description': f'{olga.mention}', 'assignee_id': tina.id})
    await outbox.send_due()

    # Mario (immediately, the default) got a mail at once (besides the invitation's own); Tina (daily) none since
    # she chose; Olga (never) none
    added, mail = mailbox.to(mario.email)
    assert added['Subject'] == 'Olga Owner added you to Acme on Rubrica'
    assert mail['Subject'] == 'Olga Owner mentioned you in Anna Rossi'
    assert link_in(mail) == f'http://rubrica.test/contacts/{contact["id"]}'
    assert [m['Subject'] for m in mailbox.to(tina.email)] == ['Olga Owner added you to Acme on Rubrica']
    assert not mailbox.to(olga.email)

    # the next morning at 08:00 (UTC: Tina chose no zone), one mail gathers Tina's two
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    morning = tomorrow.replace(hour=8, minute=1, second=0, microsecond=0)
    assert await send_digests(morning) == 1
    assert await send_digests(morning + timedelta(hours=2)) == 0  # once a day
    await outbox.send_due()
    digest = mailbox.to(tina.email)[-1]
    assert digest['Subject'] == '2 new notifications in Rubrica'
    body = text_of(digest)
    assert 'Olga Owner mentioned you in Anna Rossi' in body and 'Mario Member assigned you the task Follow up' in body
    assert not mailbox.to(olga.email)


async def test_a_refusing_smtp_server_fails_neither_inviting_nor_mentioning(refusing_smtp: str, client, acme,
                                                                          elsewhere, caplog):
    caplog.set_level(logging.WARNING, logger='rubrica.mail')
    otto = elsewhere.owner
    added = await client.post(f'{acme.base}/members', headers=acme.owner.auth,
                              json={'email': otto.email, 'role': 'member'})
    contact = await client.post(f'{acme.base}/contacts', headers=acme.owner.auth,
                                json={'last_name': 'Rossi', 'description': f'{acme.member.mention}'})
    assert (added.status_code, contact.status_code) == (201, 201)
    assert len(await _mentions(client, acme.member)) == 1

    await outbox.send_due()
    waiting = await OutgoingMail.filter(sent_at=None).order_by('id')
    assert {m.recipient for m in waiting} >= {otto.email, acme.member.email}
    assert all(m.attempts >= 1 and m.next_attempt_at is not None for m in waiting)  # to be tried again
    assert 'attempt 1 failed' in caplog.text and SMTP_PASSWORD not in caplog.text


async def test_a_mention_in_a_note_tells_like_one_in_a_description(client, acme):
    mario, tina = acme.member, acme.members[1]
    contact = await _contact(client, acme, acme.owner, 'no one yet')
    notes = f'{acme.base}/contacts/{contact["id"]}/notes'
    note = await client.post(notes, json={'text': f'Called; {mario.mention} follows up'}, headers=tina.auth)
    assert note.status_code == 201, note.text
    [told] = await _mentions(client, mario)
    assert told['record']['id'] == contact['id'] and told['by']['name'] == 'Tina Other'
    edited = await client.patch(f'{notes}/{note.json()["id"]}', headers=tina.auth,
                                json={'text': f'Called; {mario.mention} and {acme.owner.mention} follow up'})
    assert edited.status_code == 200
    assert len(await _mentions(client, mario)) == 1  # kept: not told again
    assert len(await _mentions(client, acme.owner)) == 1
