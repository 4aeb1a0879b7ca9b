"""A real browser (Chromium through Selenium) logs in through the form and reaches the dashboard."""
from __future__ import annotations

import httpx
from nicegui.testing import Screen
from selenium.webdriver.common.by import By


def _input_labelled(screen: Screen, label: str):
    return screen.selenium.find_element(By.XPATH, f'//label[.//*[normalize-space()="{label}"]]//input')


def test_log_in_through_the_form_and_see_the_dashboard(screen: Screen):
    screen.open('/')  # starts the server; an anonymous visitor is sent to the login page
    screen.should_contain('Log in to your account')
    base = screen.url
    response = httpx.post(f'{base}/api/v1/users', json={'email': 'grace@example.com', 'password': 'hopper123',
                                                        'name': 'Grace Hopper'})
    assert response.status_code == 201
    token = httpx.post(f'{base}/api/v1/tokens', json={'email': 'grace@example.com', 'password': 'hopper123'}) \
        .json()['token']
    httpx.post(f'{base}/api/v1/orgs', json={'name': 'Navy Labs'}, headers={'Authorization': f'Bearer {token}'})

    _input_labelled(screen, 'Email').send_keys('grace@example.com')
    _input_labelled(screen, 'Password').send_keys('hopper123')
    screen.selenium.find_element(By.XPATH, '//button[normalize-space()="Log in"]').click()
    screen.should_contain('Welcome, Grace Hopper')
    assert screen.selenium.title == 'Dashboard · Rubrica'
    screen.should_contain('Navy Labs · your role: owner')
    assert screen.selenium.current_url.rstrip('/') == base
