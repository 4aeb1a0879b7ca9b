"""Screens at a desktop's and a phone's size: each main page drawn in a real browser with real data, checked for what
breaks a layout (wider than the screen, a header in two rows) and saved as a screenshot under screenshots/screens/ for
a person to look at (`make test PYTEST_ARGS='-k test_screens'`). The list and the dashboard are checked further: one
toolbar row, a table that fits, cards on a phone, charts that keep their labels."""
from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.by import By

from tests.drivers import browser_log_in
from tests.ui.browser import sign_up_with_org

SIZES = {'desktop': (1440, 900), 'phone': (390, 844)}

PEOPLE = [('Marco', 'Rossi', 'marco.rossi@officine.example', '+39 02 1234 5678', 'Client'),
          ('Matteo', 'Bianchi', 'matteo@bianchi.example', '+39 347 123 4567', 'Supplier'),
          ('Giulia', 'Verdi', 'giulia.verdi@officine.example', '+39 06 7654 3210', 'Partner'),
          ('Chiara', 'Esposito', 'chiara@esposito.example', '+39 081 555 0101', 'Lead'),
          ('Luca', 'Romano', 'luca.romano@romano.example', '+39 011 222 3344', 'Client'),
          ('Marco', 'Rossi', 'm.rossi@altro.example', '+39 02 1234 5678', 'Client')]  # a duplicate of the first


def _directory(screen: Screen) -> tuple[dict, int, int, dict]:
    """An organization with a company, six contacts (two of them the same person) and a kiosk link."""
    screen.open('/login')  # starts the server
    headers, org = sign_up_with_org(screen, 'ada@example.com', 'lovelace1', 'Ada Lovelace', 'Officine Lombarde')
    api = f'{screen.url}/api/v1/orgs/{org}'
    company = httpx.post(f'{api}/companies', headers=headers, json={
        'name': 'Officine Meccaniche Lombarde S.r.l.', 'vat_number': 'IT07654320014', 'sector': 'Manufacturing',
        'pec': 'officine@pec.example', 'emails': ['info@officine.example'], 'phones': ['+39 02 9876 5432'],
        'addresses': [{'street': 'Via Roma 1', 'city': 'Milano', 'postal_code': '20121', 'country': 'IT'}]})
    assert company.status_code == 201, company.text
    company = company.json()
    first = None
    for given, family, email, phone, kind in PEOPLE:
        made = httpx.post(f'{api}/contacts', headers=headers, json={
            'first_name': given, 'last_name': family, 'emails': [email], 'phones': [phone], 'type': kind,
            'role': 'Purchasing Manager', 'company_id': company['id'],
            'description': 'Met at the Milano fair; prefers calls in the morning.'})
        assert made.status_code == 201, made.text
        first = first or made.json()
    link = httpx.post(f'{api}/kiosk-links', headers=headers, json={'name': 'Reception'}).json()
    return headers, org, first['id'], link


def _layout_problems(screen: Screen) -> list[str]:
    driver = screen.selenium
    problems = []
    if not driver.execute_script('return document.documentElement.scrollWidth <= window.innerWidth + 1'):
        problems.append('the page is wider than the screen')
    headers = driver.find_elements(By.CSS_SELECTOR, 'header.q-header')
    if headers and headers[0].size['height'] > 72:  # the kiosk has no header
        problems.append(f'the header wraps into more than one row ({headers[0].size["height"]} px high)')
    return problems


def _list_problems(screen: Screen, size: str, records: int) -> list[str]:
    """What breaks a list page: a toolbar in two rows, a table wider than its box (a scrollbar of its own), and on
    a phone, a table instead of one card per record with its phone and email to tap."""
    driver = screen.selenium
    problems = []
    toolbar = driver.find_element(By.CSS_SELECTOR, '.rubrica-list-toolbar')
    if toolbar.size['height'] > 60:  # one row of 40 px controls; two would be 80 px or more
        problems.append(f'the toolbar is more than one row ({toolbar.size["height"]} px high)')
    if driver.execute_script("const t = document.querySelector('.q-table__middle');"
                             "return t !== null && t.scrollWidth > t.clientWidth + 1"):
        problems.append('the table is wider than the page: it scrolls sideways')
    cards = driver.find_elements(By.CSS_SELECTOR, '.rubrica-record-card')
    if size == 'phone':
        if len(cards) != records or driver.find_elements(By.CSS_SELECTOR, '.q-table tbody tr'):
            problems.append(f'{len(cards)} cards instead of one per record')
        for card in cards:
            if not card.find_elements(By.CSS_SELECTOR, 'a[href^="tel:+39"]') \
                    or not card.find_elements(By.CSS_SELECTOR, 'a[href^="mailto:"]'):
                problems.append(f'a card without a phone or an email to tap: {card.text!r}')
    elif cards:
        problems.append('cards instead of a table on a desktop')
    return problems


CHART_OPTION = '''const chart = getElement(arguments[0].id.slice(1)).chart;
const option = chart.getOption();
return {animation: option.animation, label: option.series[0].label.position, legend: option.legend[0].bottom};'''


def _chart_problems(screen: Screen, size: str) -> list[str]:
    """The dashboard's doughnuts: drawn at once (no animation), and on a phone with the counts inside the ring and
    the names in the legend below, where no label is cut at the edge."""
    problems = []
    for chart in screen.selenium.find_elements(By.CSS_SELECTOR, '.nicegui-echart'):
        option = screen.selenium.execute_script(CHART_OPTION, chart)
        if option['animation'] is not False:
            problems.append('a chart is animated')
        if option['legend'] != 0:
            problems.append('a chart has no legend below it')
        if (option['label'] == 'inside') != (size == 'phone'):
            problems.append(f'a chart has its labels {option["label"]} the ring')
    return problems


def _header_search_problems(screen: Screen) -> list[str]:
    """On a phone the header's search is a button that opens the box over the header, still one row."""
    driver = screen.selenium
    box = driver.find_element(By.CSS_SELECTOR, '.rubrica-global-search input')
    if box.is_displayed():
        return ['the header search box takes room in the header on a phone']
    driver.find_element(By.CSS_SELECTOR, 'header button[aria-label="Search"]').click()
    screen.wait_for(box.is_displayed)
    problems = _layout_problems(screen)
    box.send_keys('Esposito')
    screen.should_contain('All results (Enter)')
    return problems


@pytest.mark.parametrize('size', SIZES)
def test_the_main_pages_fit_the_screen(screen: Screen, size: str, tmp_path):
    _, _, contact_id, link = _directory(screen)
    width, height = SIZES[size]
    screen.selenium.set_window_size(width, height)
    browser_log_in(screen, 'ada@example.com', 'lovelace1')

    problems = {}

    def shoot(name: str) -> None:  # every page is shot before the test says what broke, to be looked at
        problems[name] = _layout_problems(screen)
        screen.SCREENSHOT_DIR = Screen.SCREENSHOT_DIR / 'screens'
        screen.shot(f'{name}-{width}x{height}', failed=False)

    screen.open('/')
    screen.should_contain('Officine Meccaniche Lombarde')
    screen.wait_for(lambda: len(screen.selenium.find_elements(By.CSS_SELECTOR, '.nicegui-echart canvas')) == 2)
    shoot('dashboard')
    problems['dashboard'] += _chart_problems(screen, size)
    if size == 'phone':  # the charts are below the fold
        screen.selenium.execute_script("document.querySelector('.nicegui-echart').scrollIntoView()")
        shoot('dashboard-charts')

    screen.open('/contacts')
    screen.should_contain('6 contacts')
    screen.should_contain('Esposito')
    shoot('contacts')
    problems['contacts'] += _list_problems(screen, size, len(PEOPLE))
    if size == 'phone':
        problems['header search'] = _header_search_problems(screen)
        shoot('header-search')

    screen.open('/companies')
    screen.should_contain('1 company')
    shoot('companies')
    problems['companies'] += _list_problems(screen, size, 1)

    screen.open(f'/contacts/{contact_id}')
    screen.should_contain('Rossi')
    screen.click('Edit')
    screen.should_contain('Save')
    shoot('contact-edit')

    screen.open('/duplicates')
    screen.should_contain('Marco Rossi')
    shoot('duplicates')

    screen.open('/import')
    screen.selenium.find_element(By.CSS_SELECTOR, '.q-uploader input[type=file]').send_keys(
        str(_csv(tmp_path)))
    screen.should_contain('3 rows')
    screen.click('Run import')
    screen.should_contain('2 created')
    screen.should_contain('1-3 of 3')  # the footer counts the rows listed right after the import
    shoot('import-report')

    screen.open(link['url'].removeprefix(screen.url))
    screen.should_contain('Esposito')
    shoot('kiosk')
    assert not {name: found for name, found in problems.items() if found}


def _csv(folder):
    path = folder / 'contacts.csv'
    path.write_text('First name;Last name;Email;Company\n'
                    'Sara;Neri;sara@neri.example;officine meccaniche lombarde srl\n'
                    'Paolo;Gallo;paolo@gallo.example;Gallo SpA\n'
                    'Ada;Broken;not-an-email;\n', encoding='utf-8')
    return path


@pytest.mark.parametrize(('language', 'month'), [('it', 'nov'), ('fr', 'nov.')])
def test_the_main_pages_in_italian_and_french(screen: Screen, language: str, month: str):
    """The dashboard, /contacts and a contact card for a user who chose Italian or French, shot at 1440x900: the
    page's words and its dates are the language's."""
    headers, _, contact_id, _ = _directory(screen)
    httpx.patch(f'{screen.url}/api/v1/me', json={'language': language}, headers=headers).raise_for_status()
    screen.selenium.set_window_size(*SIZES['desktop'])
    browser_log_in(screen, 'ada@example.com', 'lovelace1')
    screen.SCREENSHOT_DIR = Screen.SCREENSHOT_DIR / 'screens'
    year = f' {month} {datetime.now(UTC).year}'
    screen.open('/')
    screen.should_contain({'it': 'Ciao, Ada Lovelace', 'fr': 'Bonjour, Ada Lovelace'}[language])
    screen.shot(f'dashboard-{language}-1440x900', failed=False)
    screen.open('/contacts')
    screen.should_contain('Esposito')
    screen.should_contain({'it': 'Ultima modifica', 'fr': 'Dernière modification'}[language])
    screen.should_contain(year)  # the last update, in the language's words
    screen.shot(f'contacts-{language}-1440x900', failed=False)
    screen.open(f'/contacts/{contact_id}')
    screen.should_contain('Rossi')
    screen.should_contain(year)
    screen.shot(f'contact-{language}-1440x900', failed=False)
