"""The log-in and sign-up pages: anonymous visitors go to the login page and come back where they were going, a
wrong password is refused, a newcomer signs up, creates an organization, invites and switches; and a real browser
(Chromium through Selenium) logs in through the form and reaches the dashboard."""
from __future__ import annotations

from urllib.parse import urlsplit

from nicegui import ui
from nicegui.testing import Screen, User
from selenium.webdriver.support.ui import WebDriverWait

from models.accounts import service as accounts
from models.accounts.tables import ApiToken
from models.mail import outbox
from tests.drivers import browser_log_in, choose, log_in
from tests.helpers import PASSWORD, make_user
from tests.mailbox import Mailbox, link_in, mailbox  # noqa: F401
from tests.ui.browser import sign_up_with_org


async def test_anonymous_visitors_go_to_login_and_come_back(user: User):
    await make_user(email='back@example.com')
    await user.open('/settings')
    await user.should_see(marker='login-email')
    user.find(marker='login-email').type('back@example.com')
    user.find(marker='login-password').type(PASSWORD)
    user.find(marker='login-submit').click()
    await user.should_see(content='Settings', kind=ui.label, marker='page-title')


async def test_login_refuses_a_wrong_password(user: User):
    await make_user(email='someone@example.com')
    await log_in(user, 'someone@example.com', 'not the password', succeeds=False)
    await user.should_see(content='Wrong email or password', marker='login-error')


async def test_sign_up_create_organization_invite_and_switch(user: User, make_org):
    # Bob already has an account and an organization of his own
    bobco = await make_org('Bobco', owner='Bob')

    await user.open('/signup')
    user.find(marker='signup-name').type('Alice')
    user.find(marker='signup-email').type('alice@example.com')
    user.find(marker='signup-password').type('alice password')
    user.find(marker='signup-submit').click()
    await user.should_see(marker='no-org')

    user.find(marker='create-first-org').click()
    user.find(marker='new-org-name').type('Acme')
    user.find(marker='new-org-create').click()
    await user.should_see(content='Acme · your role: owner', marker='active-org')

    await user.open('/settings')
    user.find(marker='invite-email').type('bob@example.com')
    user.find(marker='invite-send').click()
    await user.should_see('bob@example.com was added')
    user.find(marker='invite-email').type('carol@example.com')
    user.find(marker='invite-send').click()
    await user.should_see('carol@example.com was invited')
    await user.should_see(marker='invitation-row')

    user.find(marker='user-menu').click()
    user.find(marker='menu-logout').click()
    await user.should_see(marker='login-email')

    await log_in(user, bobco.owner)
    await user.should_see(content='Bobco · your role: owner', marker='active-org')
    choose(user, 'org-switcher', 'Acme')
    await user.should_see(content='Acme · your role: member', marker='active-org')


async def test_a_forgotten_password_is_reset_with_the_mailed_link_once(mailbox: Mailbox, user: User):
    eve = await make_user(name='Eve', email='eve@example.com')
    elsewhere = await accounts.start_session(eve)  # another browser of Eve's
    await accounts.create_api_token(user=eve, name='script')

    await user.open('/login')
    user.find(marker='forgot-password-link').click()
    await user.should_see(marker='reset-email')
    user.find(marker='reset-email').type('nobody@example.com')  # no account: the page says the same
    user.find(marker='reset-send').click()
    await user.should_see('If an account uses nobody@example.com, a mail with a link is on its way.')
    user.find(marker='reset-email').clear().type('eve@example.com')
    user.find(marker='reset-send').click()
    await user.should_see('If an account uses eve@example.com, a mail with a link is on its way.')
    await outbox.send_due()
    [message] = mailbox.received
    assert message['To'] == 'eve@example.com'
    link = urlsplit(link_in(message))

    await user.open(f'{link.path}?{link.query}')
    user.find(marker='reset-password').type('short')
    user.find(marker='reset-submit').click()
    await user.should_see('at least 8 characters')
    user.find(marker='reset-password').clear().type('my new password')
    user.find(marker='reset-submit').click()
    await user.should_see(marker='no-org')  # logged in (Eve is in no organization yet), with a session of its own

    assert await accounts.user_for_session(elsewhere) is None
    assert not await ApiToken.filter(user=eve).exists()
    await user.open(f'{link.path}?{link.query}')
    await user.should_see(marker='reset-link-dead')
    await user.open('/')
    user.find(marker='user-menu').click()
    user.find(marker='menu-logout').click()
    await log_in(user, 'eve@example.com', 'my new password')


async def test_without_mail_the_forgotten_password_page_says_so(user: User):
    await user.open('/forgot-password')
    await user.should_see(marker='reset-unavailable')
    await user.should_not_see(marker='reset-email')


# ------------------------------------------------------------------ in a real browser

def test_log_in_through_the_form_and_see_the_dashboard(screen: Screen):
    screen.open('/')  # starts the server; an anonymous visitor is sent to the login page
    screen.should_contain('Log in to your account')
    sign_up_with_org(screen, 'grace@example.com', 'hopper123', 'Grace Hopper', 'Navy Labs')

    browser_log_in(screen, 'grace@example.com', 'hopper123')
    screen.should_contain('Welcome, Grace Hopper')
    assert screen.selenium.title == 'Dashboard · Rubrica'
    screen.should_contain('Navy Labs · your role: owner')
    assert screen.selenium.current_url.rstrip('/') == screen.url


def test_a_forgotten_password_is_reset_in_a_real_browser(mailbox: Mailbox, screen: Screen):
    screen.open('/login')
    sign_up_with_org(screen, 'ada@example.com', 'lovelace1', 'Ada Lovelace', 'Engines')
    screen.click('Forgot password?')
    screen.should_contain('Forgot your password?')
    screen.find_by_tag('input').send_keys('ada@example.com')
    screen.click('Send the link')
    screen.should_contain('If an account uses ada@example.com')
    # the server's own sender, in the background; Ada's first mail asked her to confirm her address
    screen.wait_for(lambda: len(mailbox.received) == 2)
    reset = mailbox.received[1]
    assert '/reset-password?' in link_in(reset)
    screen.open(urlsplit(link_in(reset))._replace(scheme='', netloc='').geturl())
    screen.should_contain('Choose a new password')
    screen.find_by_tag('input').send_keys('babbage2')
    screen.click('Set the new password')
    WebDriverWait(screen.selenium, 10).until(lambda d: d.title == 'Dashboard · Rubrica')
    screen.should_contain('Engines · your role: owner')
