"""What the pages (ui/) and the REST API (api/) both need of HTTP, in one place: the answers to the data layer's
errors (errors), the limit on request bodies (limits), downloads (downloads), the session cookie and the page guard
(session), the security headers (headers), the client's address (client) and the wait for start-up (startup).

main.py wires the middleware and the error answers over the whole app. web/ may import models/ and integrations/,
never ui/ or api/; ui/ and api/ import web/ and never each other.
"""
