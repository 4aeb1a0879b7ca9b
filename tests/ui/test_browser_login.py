"""A real browser (Chromium through Selenium) logs in through the form and reaches the dashboard."""
from __future__ import annotations

from nicegui.testing import Screen

from tests.drivers import browser_log_in
from tests.ui.browser import sign_up_with_org


def test_log_in_through_the_form_and_see_the_dashboard(screen: Screen):
    screen.open('/')  # starts the server; an anonymous visitor is sent to the login page
    screen.should_contain('Log in to your account')
    sign_up_with_org(screen, 'grace@example.com', 'hopper123', 'Grace Hopper', 'Navy Labs')

    browser_log_in(screen, 'grace@example.com', 'hopper123')
    screen.should_contain('Welcome, Grace Hopper')
    assert screen.selenium.title == 'Dashboard · Rubrica'
    screen.should_contain('Navy Labs · your role: owner')
    assert screen.selenium.current_url.rstrip('/') == screen.url
