"""Connections in the browser (NiceGUI's user fixture): the Connections panel of a contact or company card, shown
here through a small test page as the lead mounts it, and the linked records of a project, task or ticket card."""
from __future__ import annotations

import httpx
import pytest
from nicegui import ui
from nicegui.testing import Screen, User
from selenium.webdriver.common.by import By
from tortoise import connections as tortoise_connections

from models.records import service as records
from models.work import service as work
from models.work.tables import Connection
from models.records.tables import COMPANY, CONTACT, KINDS
from models.work.tables import PROJECT, TASK, TICKET, Project, Task, Ticket
from models.work.tables import WORK_KINDS
from tests.drivers import PATIENCE, choose, element, log_in
from tests.ui.browser import signed_in_owner
from ui.connections import PREVIEW, connections_panel
from ui.frame import frame
from ui.session import page_context


async def see(user: User, *args, **kwargs) -> None:
    await user.should_see(*args, retries=PATIENCE, **kwargs)


def rows(user: User, kind: str) -> list[dict]:
    """The rows of the linked things of one kind: data in one table (ui.connections.LinkedRows), drawn in the
    browser: the title, where its link goes, status, due date, and the Unlink button's label when it has one."""
    return [row for table in user.find(marker=f'linked-{kind}').elements for row in table.rows]


def row(user: User, kind: str, target_id: int) -> dict:
    found = [r for r in rows(user, kind) if r['id'] == target_id]
    assert len(found) == 1, (kind, target_id, rows(user, kind))
    return found[0]


def unlink(user: User, kind: str, target_id: int) -> None:
    """Click the Unlink button of a row: its table hears `unlink` with the row's id."""
    user.find(marker=f'linked-{kind}').trigger('unlink', target_id)


async def link_with_the_picker(user: User, label: str, query: str, kind: str, item_id: int) -> None:
    """On an open card: picks `label` (Project, Company...) in the link picker, searches and links the item found."""
    choose(user, 'link-kind', label)
    user.find(marker='link-search').type(query)
    await see(user, marker=f'link-{kind}-{item_id}')
    user.find(marker=f'link-{kind}-{item_id}').click()


class QueryCounter:
    """Counts the SQL statements sent through Tortoise's database client while `active`."""
    METHODS = ('execute_query', 'execute_query_dict', 'execute_insert', 'execute_many', 'execute_script')

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.active = False
        self.statements: list[str] = []
        client_class = type(tortoise_connections.get('default'))
        for name in self.METHODS:
            original = getattr(client_class, name)

            async def counted(client, query, *args, _original=original, **kwargs):
                if self.active:
                    self.statements.append(query)
                return await _original(client, query, *args, **kwargs)
            monkeypatch.setattr(client_class, name, counted)


def record_page(counter: QueryCounter | None = None, counts: list[int] | None = None) -> None:
    """A contact or company card reduced to its Connections tab, mounted the way the lead mounts it."""
    @ui.page('/test-connections/{kind_name}/{record_id}')
    async def page(kind_name: str, record_id: int):
        ctx = await page_context()
        kind = KINDS[kind_name]
        record = await records.get_record(kind, ctx.membership, record_id)
        with frame(ctx, f'{kind.name} {record.display_name}'):
            if counter is not None:
                counter.statements.clear()
                counter.active = True
            await connections_panel(ctx, kind, record)
            if counter is not None:
                counter.active = False
                counts.append(len(counter.statements))


async def test_a_link_made_on_the_contact_shows_on_the_project_in_browser_and_api(user: User, client, acme):
    org = acme.owner.membership
    contact = await records.create_record(CONTACT, org, {'first_name': 'Anna', 'last_name': 'Rossi'})
    project = await work.create_item(PROJECT, org, {'name': 'Website relaunch', 'due_date': '2030-04-01'})
    await work.create_item(PROJECT, org, {'name': 'Warehouse'})

    await log_in(user, acme.owner, path=f'/contacts/{contact.id}')  # the real card, its Connections tab
    user.find(marker='tab-connections').click()
    await see(user, 'Projects (0)', marker='connections-projects-heading')
    await link_with_the_picker(user, 'Project', 'relaunch', 'project', project.id)
    await see(user, 'Projects (1)', marker='connections-projects-heading')
    await see(user, 'Website relaunch', marker='linked-project')
    assert row(user, 'project', project.id) == {
        'id': project.id, 'title': 'Website relaunch', 'href': f'/projects/{project.id}', 'status': 'Active',
        'status_color': 'primary', 'due': 'due 1 Apr 2030', 'unlink': 'Unlink'}
    await see(user, marker=f'already-linked-project-{project.id}')  # the picker knows it is linked now

    await user.open(row(user, 'project', project.id)['href'])  # where the row's link goes: the project's card
    await see(user, marker='linked-records')
    await see(user, 'Contacts (1)', marker='linked-contact-heading')
    await see(user, 'Anna Rossi', marker='linked-contact')
    assert row(user, 'contact', contact.id)['href'] == f'/contacts/{contact.id}'

    headers, base = acme.owner.auth, acme.base
    assert [c['id'] for c in (await client.get(f'{base}/projects/{project.id}', headers=headers)).json()['contacts']] \
        == [contact.id]
    assert [p['id'] for p in (await client.get(f'{base}/contacts/{contact.id}/connections',
                                               headers=headers)).json()['projects']] == [project.id]


async def test_a_link_made_on_the_card_shows_on_the_company_and_unlinks_from_either_side(user: User, client, acme):
    org = acme.owner.membership
    company = await records.create_record(COMPANY, org, {'name': 'Bianchi Spa'})
    task = await work.create_item(TASK, org, {'title': 'Send the offer', 'status': 'in_progress'})
    ticket = await work.create_item(TICKET, org, {'title': 'Invoice wrong', 'priority': 'urgent'})
    record_page()

    await log_in(user, acme.owner, path='/')
    for kind, item in (('task', task), ('ticket', ticket)):
        await user.open(f'/{kind}s/{item.id}')
        await see(user, 'Companies (0)', marker='linked-company-heading')
        await link_with_the_picker(user, 'Company', 'bianchi', 'company', company.id)
        await see(user, 'Companies (1)', marker='linked-company-heading')
        await see(user, 'Bianchi Spa', marker='linked-company')
        assert row(user, 'company', company.id)['href'] == f'/companies/{company.id}'

    await user.open(f'/test-connections/company/{company.id}')
    await see(user, 'Tasks (1)', marker='connections-tasks-heading')
    await see(user, 'Tickets (1)', marker='connections-tickets-heading')
    await see(user, 'In progress', marker='linked-task')
    await see(user, 'no due date', marker='linked-ticket')
    assert (row(user, 'task', task.id)['status'], row(user, 'ticket', ticket.id)['due']) == ('In progress',
                                                                                            'no due date')
    assert (row(user, 'ticket', ticket.id)['priority'], row(user, 'ticket', ticket.id)['priority_color']) == \
        ('Urgent', 'negative')
    api = (await client.get(f'{acme.base}/companies/{company.id}/connections', headers=acme.owner.auth)).json()
    assert [t['id'] for t in api['tasks']] == [task.id] and [t['id'] for t in api['tickets']] == [ticket.id]

    unlink(user, 'task', task.id)  # unlink on the company's side...
    await see(user, 'Tasks (0)', marker='connections-tasks-heading')
    await user.open(f'/tasks/{task.id}')
    await see(user, 'Companies (0)', marker='linked-company-heading')
    await user.open(f'/tickets/{ticket.id}')
    await see(user, 'Companies (1)', marker='linked-company-heading')
    unlink(user, 'company', company.id)  # ...and on the ticket's side
    await see(user, 'Companies (0)', marker='linked-company-heading')
    await user.open(f'/test-connections/company/{company.id}')
    await see(user, 'Tickets (0)', marker='connections-tickets-heading')
    assert await Connection.all().count() == 0


async def test_a_card_never_reveals_a_hidden_contact_or_company(user: User, acme):
    org, as_writer = acme.owner.membership, acme.member.membership
    ticket = await work.create_item(TICKET, org, {'title': 'Shared ticket'})
    public = await records.create_record(CONTACT, as_writer, {'last_name': 'Pubblico'})
    secret = await records.create_record(CONTACT, as_writer, {'last_name': 'Segreto', 'visibility': 'private'})
    secret_company = await records.create_record(COMPANY, as_writer, {'name': 'Segreta Srl', 'visibility': 'private'})
    from models.work import connections
    for ends in ({'contact_id': public.id}, {'contact_id': secret.id}, {'company_id': secret_company.id}):
        await connections.link(as_writer, ends | {'ticket_id': ticket.id})
    record_page()

    await log_in(user, acme.owner, path=f'/tickets/{ticket.id}')
    await see(user, 'Contacts (1)', marker='linked-contact-heading')  # the count leaves out the hidden ones
    await see(user, 'Companies (0)', marker='linked-company-heading')
    await see(user, 'Pubblico', marker='linked-contact')
    await user.should_not_see('Segreto')
    await user.should_not_see('Segreta Srl')
    assert [r['id'] for r in rows(user, 'contact')] == [public.id]
    user.find(marker='link-search').type('segreto')  # nor does the picker find it
    await see(user, marker='link-nothing-found')

    await user.open(f'/test-connections/contact/{public.id}')
    await see(user, 'Tickets (1)', marker='connections-tickets-heading')


async def _contact_with_linked_work(org, name: str, linked: int) -> tuple[int, dict[str, int]]:
    """A contact linked to `linked` projects, tasks and tickets (a third of each), written in bulk."""
    contact = await records.create_record(CONTACT, org, {'last_name': name})
    per_kind = {'project': linked - 2 * (linked // 3), 'task': linked // 3, 'ticket': linked // 3}
    made = {}
    for kind, model, title in (('project', Project, 'name'), ('task', Task, 'title'), ('ticket', Ticket, 'title')):
        status = WORK_KINDS[kind].statuses[0]
        await model.bulk_create([model(org_id=org.org_id, status=status, sort_title=f'{name} {n}',
                                       **{title: f'{name} {kind} {n}'}) for n in range(per_kind[kind])])
        made[kind] = await model.filter(org_id=org.org_id, sort_title__startswith=f'{name} ') \
            .values_list('id', flat=True)
    await Connection.bulk_create([Connection(org_id=org.org_id, contact_id=contact.id, **{f'{kind}_id': item_id})
                                  for kind, ids in made.items() for item_id in ids])
    assert await Connection.filter(contact_id=contact.id).count() == linked
    return contact.id, per_kind


async def test_the_connections_tab_takes_as_many_queries_for_500_items_as_for_5(user: User, acme, monkeypatch):
    org = acme.owner.membership
    few, few_per_kind = await _contact_with_linked_work(org, 'Few', 5)
    many, many_per_kind = await _contact_with_linked_work(org, 'Many', 500)

    counter, counts = QueryCounter(monkeypatch), []
    record_page(counter, counts)
    await log_in(user, acme.owner, path=f'/test-connections/contact/{few}')
    await see(user, f'Projects ({few_per_kind["project"]})', marker='connections-projects-heading')
    few_statements = list(counter.statements)
    await user.open(f'/test-connections/contact/{many}')
    await see(user, f'Projects ({many_per_kind["project"]})', marker='connections-projects-heading')
    await see(user, f'Tickets ({many_per_kind["ticket"]})', marker='connections-tickets-heading')
    many_task_ids = await Connection.filter(contact_id=many, task_id__isnull=False).values_list('task_id', flat=True)
    assert counts[0] == counts[1], (few_statements, counter.statements)
    # one query for the contact through the visibility gate, one per kind of work
    assert counts == [4, 4], counter.statements

    # the first rows of each kind are drawn at once; "Show all" draws the others without asking the database again
    assert len(rows(user, 'task')) == PREVIEW
    counter.statements.clear()
    counter.active = True
    user.find(marker='show-all-tasks').click()
    await user.should_not_see(marker='show-all-tasks')
    counter.active = False
    assert len(rows(user, 'task')) == many_per_kind['task'] == 166
    assert row(user, 'task', many_task_ids[-1])['href'] == f'/tasks/{many_task_ids[-1]}'
    assert counter.statements == []


async def test_new_task_and_new_ticket_on_the_card_are_made_linked_and_listed(user: User, acme):
    contact = await records.create_record(CONTACT, acme.owner.membership, {'first_name': 'Anna', 'last_name': 'Rossi'})
    company = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Bianchi Spa'})
    await log_in(user, acme.member, path=f'/contacts/{contact.id}')  # the real card, its Connections tab
    user.find(marker='tab-connections').click()
    await see(user, 'Tasks (0)', marker='connections-tasks-heading')

    user.find(marker='record-new-task').click()
    await see(user, marker='new-item-title')
    await user.should_not_see(marker='new-item-priority')  # a task has a due date, not a priority
    user.find(marker='new-item-create').click()  # no title yet: said next to the field, nothing made
    await see(user, 'Please correct the highlighted fields')
    assert element(user, 'new-item-title').error and not await Task.exists()
    user.find(marker='new-item-title').type('Call back about the offer')
    user.find(marker='new-item-due').type('2030-05-01')
    user.find(marker='new-item-create').click()
    await see(user, 'Tasks (1)', marker='connections-tasks-heading')
    task = await Task.get(title='Call back about the offer')
    await see(user, 'due 1 May 2030', marker='linked-task')
    assert (row(user, 'task', task.id)['due'], row(user, 'task', task.id)['status']) == ('due 1 May 2030', 'To do')
    await user.should_not_see(marker='new-item-title')  # the dialog closed
    assert await Connection.filter(contact_id=contact.id, task_id=task.id).exists()

    await user.open(f'/companies/{company.id}')
    user.find(marker='tab-connections').click()
    await see(user, marker='record-new-ticket')  # the tab is built when first opened
    user.find(marker='record-new-ticket').click()
    await see(user, marker='new-item-priority')
    await user.should_not_see(marker='new-item-due')
    user.find(marker='new-item-title').type('Invoice wrong')
    choose(user, 'new-item-priority', 'Urgent')
    user.find(marker='new-item-create').click()
    await see(user, 'Tickets (1)', marker='connections-tickets-heading')
    ticket = await Ticket.get(title='Invoice wrong')
    assert ticket.priority == 'urgent' and ticket.created_by_id == acme.member.id
    assert await Connection.filter(company_id=company.id, ticket_id=ticket.id).exists()
    await see(user, 'Invoice wrong', marker='linked-ticket')



async def test_an_italian_reader_links_and_creates_work_in_italian(user: User, acme):
    acme.owner.user.language = 'it'
    await acme.owner.user.save(update_fields=['language'])
    company = await records.create_record(COMPANY, acme.owner.membership, {'name': 'Officine Rossi'})
    project = await work.create_item(PROJECT, acme.owner.membership, {'name': 'Nuovo sito'})

    await log_in(user, acme.owner, path=f'/companies/{company.id}')
    user.find(marker='tab-connections').click()
    await see(user, 'Progetti (0)', marker='connections-projects-heading')
    await see(user, 'Nessun progetto collegato')
    await see(user, 'Nessuna attività collegata')
    await user.should_not_see('No linked projects')
    assert element(user, 'link-kind').props['label'] == 'Collega'
    assert element(user, 'link-search').props['placeholder'] == 'scrivi un nome o un titolo'
    await link_with_the_picker(user, 'Progetto', 'sito', 'project', project.id)
    await see(user, 'Collegato al progetto')
    await see(user, 'Progetti (1)', marker='connections-projects-heading')
    await see(user, 'nessuna scadenza', marker='linked-project')
    assert row(user, 'project', project.id)['unlink'] == 'Scollega'

    user.find(marker='record-new-task').click()
    await see(user, 'Nuova attività per Officine Rossi')
    user.find(marker='new-item-title').type('Chiamare il cliente')
    user.find(marker='new-item-create').click()
    await see(user, 'Attività “Chiamare il cliente” creata e collegata')
    await see(user, 'Attività (1)', marker='connections-tasks-heading')


def test_the_rows_of_the_connections_tab_are_drawn_in_a_browser(screen: Screen):
    """The rows are data that the browser draws (ui.connections.LinkedRows' template): in a real browser each row
    shows its link, status, due date and an Unlink button that unlinks; a title is shown as text, never as HTML."""
    headers, org_id = signed_in_owner(screen, 1200)
    base = f'{screen.url}/api/v1/orgs/{org_id}'
    contact = httpx.post(f'{base}/contacts', json={'last_name': 'Rossi'}, headers=headers).json()
    project = httpx.post(f'{base}/projects', json={'name': '<b>Website</b> relaunch', 'due_date': '2030-04-01'},
                         headers=headers).json()
    ticket = httpx.post(f'{base}/tickets', json={'title': 'Printer jam', 'priority': 'urgent'}, headers=headers).json()
    for item in ({'project_id': project['id']}, {'ticket_id': ticket['id']}):
        httpx.post(f'{base}/connections', json={'contact_id': contact['id'], **item},
                   headers=headers).raise_for_status()
    screen.open(f'/contacts/{contact["id"]}')
    screen.click('Connections')
    screen.should_contain('<b>Website</b> relaunch')  # the title as text
    link = screen.selenium.find_element(By.XPATH, '//a[normalize-space()="<b>Website</b> relaunch"]')
    assert link.get_attribute('href').endswith(f'/projects/{project["id"]}')
    screen.should_contain('due 1 Apr 2030')
    screen.should_contain('Active')
    screen.should_contain('Urgent')
    buttons = screen.selenium.find_elements(By.XPATH, '//button[@aria-label="Unlink"]')
    assert len(buttons) == 2
    buttons[0].click()
    screen.should_contain('Projects (0)')
    screen.should_contain('Tickets (1)')
    assert [c['id'] for c in httpx.get(f'{base}/contacts/{contact["id"]}/connections',
                                       headers=headers).json()['tickets']] == [ticket['id']]
