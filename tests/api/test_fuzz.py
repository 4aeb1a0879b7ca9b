"""Fuzzing the API with schemathesis, from the app's own /openapi.json, in process.

Every operation of the schema gets a few generated requests, valid ones and invalid ones, sent with an owner's
token into an organization with a few contacts, companies and work items. Each answer must not be a server
error, and its status code, content type and body must be what the schema declares.

Schemathesis generates the requests and checks the answers; they are sent by the test's own ASGI client, on the
event loop where the app (and its database) runs: Hypothesis drives each operation from a worker thread and hands
each request to that loop. Bounded: EXAMPLES requests per operation (fewer once TIME_BUDGET is spent, never none),
derandomized so that a run in CI is the same run as on a laptop. RUBRICA_FUZZ_EXAMPLES=200 RUBRICA_FUZZ_RANDOM=1
explores further.
"""
from __future__ import annotations

import asyncio
import os
import time

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from models.work import connections
from models.records import service as records
from models.work import service as work
from models.records.tables import COMPANY, CONTACT
from models.work.tables import PROJECT, TASK, TICKET
from tests.helpers import Team, token_for

EXAMPLES = int(os.environ.get('RUBRICA_FUZZ_EXAMPLES', '8'))
FEWEST = 3  # examples per operation once the time budget is spent
TIME_BUDGET = float(os.environ.get('RUBRICA_FUZZ_SECONDS', '75'))  # of generating and sending, all operations
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


async def seed(make_org) -> Team:
    team = await make_org('Acme', owner='Olga Owner', members=['Mario Member'])
    org = team.owner.membership
    companies = [await records.create_record(COMPANY, org, {'name': name, 'vat_number': vat})
                 for name, vat in (('Rossi SpA', '00743110157'), ('Bianchi Srl', ''))]
    contacts = [await records.create_record(CONTACT, org, {
        'first_name': first, 'last_name': last, 'emails': [f'{first.lower()}@example.com'],
        'company_id': companies[i % 2].id}) for i, (first, last) in enumerate(
        (('Anna', 'Rossi'), ('Marco', 'Bianchi'), ('Anna', 'Rossi'), ('Luca', 'Verdi')))]
    project = await work.create_item(PROJECT, org, {'name': 'Website'})
    task = await work.create_item(TASK, org, {'title': 'Call back', 'project_id': project.id})
    await work.create_item(TICKET, org, {'title': 'Login fails'})
    await connections.link(org, {'contact_id': contacts[0].id, 'task_id': task.id})
    return team


def _prepared(kwargs: dict, auth: dict[str, str]) -> requests.PreparedRequest:
    """The request schemathesis serialized for `requests`, encoded by `requests` exactly as it would send it."""
    known = {name: kwargs[name] for name in ('method', 'url', 'headers', 'files', 'data', 'json', 'params', 'cookies')
             if kwargs.get(name) is not None}
    known['headers'] = {**known.get('headers', {}), **auth}
    return requests.Request(**known).prepare()


def _fuzz_operation(operation, org: int, send, examples: int) -> None:
    """Hypothesis runs this in a worker thread; `send` hands a request to the app's event loop."""
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE, path_parameters={'org': org}),
                         operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))

    @hypothesis.settings(max_examples=examples, deadline=None, database=None,
                         derandomize=not os.environ.get('RUBRICA_FUZZ_RANDOM'),
                         suppress_health_check=list(HealthCheck),
                         phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @hypothesis.given(case=strategy)
    def run(case) -> None:
        request = case.as_transport_kwargs(base_url='http://test')
        response = send(request)
        case.validate_response(response, checks=CHECKS, headers=request.get('headers'))

    run()


async def test_every_operation_survives_fuzzing(client, make_org):
    seeded = await seed(make_org)
    schema = schemathesis.openapi.from_dict((await client.get('/openapi.json')).json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    loop = asyncio.get_running_loop()
    auth: dict[str, str] = {}

    async def request(kwargs: dict):
        prepared = _prepared(kwargs, auth)
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        return await client.request(prepared.method, prepared.url, headers=dict(prepared.headers), content=body)

    def send(kwargs: dict):
        return asyncio.run_coroutine_threadsafe(request(kwargs), loop).result(timeout=60)

    failures = []
    started = time.monotonic()
    for operation in operations:
        auth.update(await token_for(seeded.owner.user))  # a fresh token: an earlier operation may have revoked it
        examples = EXAMPLES if time.monotonic() - started < TIME_BUDGET else FEWEST
        try:
            await asyncio.to_thread(_fuzz_operation, operation, seeded.id, send, examples)
        except (Exception, BaseExceptionGroup) as e:  # every operation is fuzzed, then all failures are shown
            failures.append(f'{operation.label}: {e}')
    assert not failures, f'{len(failures)} operation(s) failed:\n\n' + '\n\n'.join(failures)
