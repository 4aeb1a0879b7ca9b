"""The test suite mirrors the tree it tests:

tests/models/<feature>/test_<what>.py   models/<feature>/ (records, orgs, imports, duplicates, files, kiosk, ...);
                                        tests/models/test_<module>.py for the shared modules (access, validation)
tests/api/test_<router>.py              api/<router>.py (the REST API, through httpx on the app)
tests/ui/test_<page module>.py          ui/<module>.py: NiceGUI's simulated `user`, and in a section of their own
                                        the real-browser tests (`screen`), marked `browser` (-m browser)
tests/integrations/                     integrations/: the local file store, Google Drive and Dropbox (their real
                                        SDKs against fake_clouds.py, a fake of the providers' servers)
tests/test_main.py, test_settings.py    main.py (the server, the admin command line), settings.py

Shared pieces, never imported from another test module:
conftest.py   every test's data dir and database; `make_org`, the one factory of organizations with their owner,
              members and guests, and the organizations built on it (`acme`, `elsewhere`, `target`)
helpers.py    accounts, tokens, sample data and the Team/Person the factory returns
drivers.py    one way to log in per driver: `log_in` (simulated user), `browser_log_in` (Selenium),
              `api_log_in` (a running server's REST API)
server.py     `python main.py` as a process; ui/browser.py: data for real-browser tests through the API
"""
