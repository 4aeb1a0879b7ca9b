"""Create, check and drop the PostgreSQL database of a CI run: `python .ci/pg.py check|create|drop URL`."""
import asyncio
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path='/postgres')), parts.path.lstrip('/')


async def main(command: str, url: str) -> int:
    server, name = admin_url(url)
    try:
        connection = await asyncpg.connect(server, timeout=5)
    except (OSError, asyncpg.PostgresError) as e:
        print(f'PostgreSQL is not reachable at {server}: {e}', file=sys.stderr)
        return 3
    try:
        if command == 'create':
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await connection.execute(f'CREATE DATABASE "{name}"')
        elif command == 'drop':  # with the databases the test processes made next to it (name_gw0, name_gw1…)
            workers = await connection.fetch('SELECT datname FROM pg_database WHERE datname LIKE $1',
                                             name.replace('_', r'\_') + r'\_%')
            for database in [name, *(row['datname'] for row in workers)]:
                await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()
    return 0


if __name__ == '__main__':
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
