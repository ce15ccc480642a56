"""Before `make run` serves: bring the schema up to date, make a demo clerk if the database is the demo's
(SQLite) and has no account, and print where the screens are. A PostgreSQL database is a real hall's: it
gets no account with a published password."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select, update

from server.app import create_app
from server.auth import add_user
from server.device_tokens import device_key, issue_missing
from server.models import User
from server.wiring import hall

DEMO_USER, DEMO_PASSWORD = "demo", "demo-clerk-2026"
HALL_SERVER_ENV = Path("/etc/yichuang/yichuang.env")  # a hall's server (deploy/README.md): never the demo's
ADD_ACCOUNTS = "create accounts with `flask --app server user add NAME --role clerk|manager|backoffice|admin`"


def demo_account(app, server_env: Path = HALL_SERVER_ENV) -> list[str]:
    """Make the demo clerk when the database is SQLite and has no account, and this is not a hall's installed
    server; what the banner says about it."""
    db = hall(app).db
    if not db.is_sqlite:
        return [f"No demo account on PostgreSQL: {ADD_ACCOUNTS}"]
    if server_env.exists():  # `make run` tried on a hall's server, whose SQLite file may be the hall's own
        return [f"No demo account: {server_env} says this is a hall's server; {ADD_ACCOUNTS}"]
    with db.write() as session:
        created = not session.scalar(select(func.count()).select_from(User))
        if created:
            add_user(session, DEMO_USER, DEMO_PASSWORD, "clerk")
        # Earlier versions made the demo account an admin; its password is published.
        demoted = session.execute(update(User).where(User.username == DEMO_USER, User.role == "admin")
                                  .values(role="clerk", token_version=User.token_version + 1)).rowcount
    if created:
        return [f"Demo account: {DEMO_USER} / {DEMO_PASSWORD} (a clerk of every site; made because this SQLite "
                "database had no account)"]
    if demoted:
        return [f"Demo account {DEMO_USER} is a clerk now (it was an admin, with a published password)"]
    return []


def main() -> None:
    app = create_app()
    wiring = hall(app)
    account_lines = demo_account(app)
    base = f"http://{os.environ.get('HALL_HOST', '127.0.0.1')}:{os.environ.get('HALL_PORT', '5000')}"
    # The demo makes its own device tokens (kept in instance/ beside the secret key) and shows them below.
    tokens = issue_missing(wiring.layout, Path(app.config["DEVICE_TOKENS_FILE"]))
    print("=" * 72)
    print("一窗 Yichuang — demo hall")
    if app.config["IGNORE_HOURS"]:
        print("HALL_IGNORE_HOURS=1: opening hours are ignored so the demo takes tickets at any hour.")
    print(f"Database: {app.config['DATABASE_URL']}")
    print(f"Layout:   {app.config['LAYOUT']}")
    for line in account_lines:
        print(line)
    print("Accounts: `flask --app server user add NAME --role R [--site SITE]... [--department DEPT]`, "
          "`user list`, `user disable NAME`, `user passwd NAME`")
    for site in wiring.layout.sites:
        print(f"\n{site.name} ({site.id})")
        for kiosk in site.kiosks:
            token = tokens[device_key(site.id, "kiosk", kiosk.id)]
            print(f"  kiosk    {base}/kiosk/{site.id}/{kiosk.id}#token={token}   {kiosk.name}")
            if kiosk.printer is not None and kiosk.printer.type == "agent":
                print(f"  agent    AGENT_TOKEN={token} python -m kiosk.agent --server {base} --site {site.id} "
                      f"--kiosk {kiosk.id} --printer-type dummy")
        print(f"  counter  {base}/counter/{site.id}")
        if any(service.appointments is not None for service in site.services):
            print(f"  booking  {base}/book/{site.id}   (预约取号, on a phone)")
        print(f"  screens  {base}/display/{site.id}   (every display and window screen)")
        for display in site.displays:
            token = tokens[device_key(site.id, "display", display.id)]
            print(f"  display  {base}/display/{site.id}/{display.id}#token={token}   {display.name}")
    print(f"\nAPI: {base}/api/v1/sites")
    print("Device tokens (#token=…): `flask --app server devices tokens` prints every kiosk's and screen's.")
    print("=" * 72, flush=True)


if __name__ == "__main__":
    main()
