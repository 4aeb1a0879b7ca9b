"""Invitation links and address confirmation in the REST API: POST …/members answers an invitation's sign-up link
only when the server mails none (else the invitee gets it by mail), POST /users takes the link's token and joins at
once, an account that signed up without it confirms its address first (GET /me `email_verified`, POST
/me/verification to be sent a new link, braked), and an owner renews a link with POST …/invitations/{id}/link."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from models.accounts import verification
from models.mail import outbox
from tests.mailbox import Mailbox, link_in, mailbox  # noqa: F401


def token_in(link: str, name: str) -> str:
    return parse_qs(urlsplit(link).query)[name][0]


async def test_without_mail_the_invitation_answers_its_link(client, make_org):
    acme = await make_org('Acme', members=['Mario Member'], tokens=True)
    answer = await client.post(f'{acme.base}/members', json={'email': 'carol@example.com', 'role': 'member'},
                               headers=acme.owner.auth)
    assert answer.status_code == 201
    invited = answer.json()
    assert invited['status'] == 'invited' and urlsplit(invited['link']).path == '/signup'

    renewed = await client.post(f'{acme.base}/invitations/{invited["id"]}/link', headers=acme.owner.auth)
    assert renewed.status_code == 200 and renewed.json()['link'] != invited['link']
    refused = await client.post(f'{acme.base}/invitations/{invited["id"]}/link', headers=acme.member.auth)
    assert refused.status_code == 403
    assert (await client.post(f'{acme.base}/invitations/999/link', headers=acme.owner.auth)).status_code == 404

    stale = await client.post('/api/v1/users', json={'email': 'carol@example.com', 'password': 'carol password',
                                                     'name': 'Carol', 'invitation': token_in(invited['link'],
                                                                                             'invitation')})
    assert stale.status_code == 403 and 'no longer valid' in stale.json()['detail']
    created = await client.post('/api/v1/users', json={'email': 'carol@example.com', 'password': 'carol password',
                                                       'name': 'Carol', 'invitation': token_in(renewed.json()['link'],
                                                                                               'invitation')})
    assert created.status_code == 201
    token = (await client.post('/api/v1/tokens', json={'email': 'carol@example.com',
                                                       'password': 'carol password'})).json()['token']
    me = (await client.get('/api/v1/me', headers={'Authorization': f'Bearer {token}'})).json()
    assert me['email_verified'] is True and [o['name'] for o in me['organizations']] == ['Acme']

    existing = await client.post(f'{acme.base}/members', json={'email': 'someone.else@example.com'},
                                 headers=acme.owner.auth)
    added = await client.post(f'{acme.base}/members', json={'email': 'carol@example.com'}, headers=acme.owner.auth)
    assert 'link' in existing.json()
    assert added.status_code == 409  # already a member


async def test_with_mail_the_link_is_mailed_not_answered(mailbox: Mailbox, client, make_org):
    acme = await make_org('Acme', tokens=True)
    answer = await client.post(f'{acme.base}/members', json={'email': 'carol@example.com', 'role': 'guest'},
                               headers=acme.owner.auth)
    assert answer.status_code == 201 and 'link' not in answer.json()
    await outbox.send_due()
    [message] = mailbox.to('carol@example.com')
    invitation = token_in(link_in(message), 'invitation')

    wrong = await client.post('/api/v1/users', json={'email': 'eve@example.com', 'password': 'eve password',
                                                     'name': 'Eve', 'invitation': invitation})
    assert wrong.status_code == 422 and wrong.json()['detail'][0]['field'] == 'email'
    assert (await client.post('/api/v1/users', json={'email': 'carol@example.com', 'password': 'carol password',
                                                     'name': 'Carol', 'invitation': invitation})).status_code == 201
    assert len(mailbox.to('carol@example.com')) == 1  # no confirmation mail: the link proved the address


async def test_a_sign_up_without_the_link_confirms_its_address_before_joining(mailbox: Mailbox, client, make_org):
    acme = await make_org('Acme', tokens=True)
    await client.post(f'{acme.base}/members', json={'email': 'carol@example.com'}, headers=acme.owner.auth)
    assert (await client.post('/api/v1/users', json={'email': 'carol@example.com', 'password': 'carol password',
                                                     'name': 'Carol'})).status_code == 201
    token = (await client.post('/api/v1/tokens', json={'email': 'carol@example.com',
                                                       'password': 'carol password'})).json()['token']
    carol = {'Authorization': f'Bearer {token}'}
    me = (await client.get('/api/v1/me', headers=carol)).json()
    assert me['email_verified'] is False and me['organizations'] == []

    again = await client.post('/api/v1/me/verification', headers=carol)  # the sign-up's link left a moment ago
    assert again.status_code == 429 and int(again.headers['retry-after']) > 0
    assert (await client.post('/api/v1/me/verification')).status_code == 401

    await outbox.send_due()
    confirmation = mailbox.to('carol@example.com')[-1]
    await verification.verify_email(token=token_in(link_in(confirmation), 'token'))
    me = (await client.get('/api/v1/me', headers=carol)).json()
    assert me['email_verified'] is True and [o['name'] for o in me['organizations']] == ['Acme']
    assert (await client.post('/api/v1/me/verification', headers=carol)).status_code == 202  # nothing to send
    await outbox.send_due()
    assert mailbox.to('carol@example.com')[-1] is confirmation
