"""Every input a person fills in, on every role's main pages and forms, has a label: a
<label for=…>, a <label> around it, or an aria-label. (A placeholder is not a label: it
disappears as one types.) The ticket page's <title> is its title, not script text."""

from html.parser import HTMLParser

from jiceng import factories
from jiceng.orgs.models import User
from jiceng.tickets import services

SKIP_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: list[dict] = []
        self.labelled: set[str] = set()
        self.depth = 0  # inside a <label>
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self.depth += 1
            if a.get("for"):
                self.labelled.add(a["for"])
        elif tag == "title":
            self._in_title = True
        elif tag in ("input", "select", "textarea") and a.get("type") not in SKIP_TYPES:
            self.fields.append(dict(a, tag=tag, wrapped=self.depth > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.depth -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def unlabelled(self) -> list[str]:
        return [
            f"<{f['tag']} name={f.get('name')!r} id={f.get('id')!r}>"
            for f in self.fields
            if not (
                f["wrapped"]
                or f.get("aria-label")
                or f.get("aria-labelledby")
                or (f.get("id") and f["id"] in self.labelled)
            )
        ]


def read(client, url) -> Fields:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = Fields()
    parsed.feed(response.content.decode())
    return parsed


def test_every_input_of_every_roles_forms_has_a_label(world, users, login, client):
    ticket = factories.ticket(world["jiashun"], title="楼道灯不亮")
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    services.supervise(users["sam"], ticket, "群众反映强烈")
    t = f"/work/tickets/{ticket.pk}/"
    walker = factories.account(
        "walker", ["grid_worker"], scope_region=world["jiashun"], who=world["jiashun_grid_worker"]
    )
    factories.account("judge", ["assessor"], scope_region=world["changji"])
    grid = login("erin").__class__()
    grid.force_login(walker)
    judge = login("erin").__class__()
    judge.force_login(User.objects.get(username="judge"))
    visits = [
        (client, ["/", "/submit/", "/track/", "/vote/"]),
        (
            login("erin"),
            [
                "/work/tickets/?view=all",
                t,
                "/work/tickets/new/",
                "/work/meetings/new/",
                "/work/themes/new/",
                "/dashboard/",
            ],
        ),
        (login("dave"), [t]),
        (login("sam"), [t, "/work/tickets/"]),
        (grid, ["/work/grid-report/", "/work/tickets/"]),
        (
            judge,
            [
                f"/evaluation/meetings/new/?org={world['jiashun_branch'].pk}",
                f"/evaluation/diagnoses/new/?org={world['jiashun_branch'].pk}",
                f"/evaluation/surveys/new/?region={world['jiashun'].code}",
            ],
        ),
    ]
    missing = []
    for client_, urls in visits:
        for url in urls:
            for field in read(client_, url).unlabelled():
                missing.append(f"{url}: {field}")
    assert not missing, "\n".join(missing)


def test_the_ticket_pages_title_is_its_title(world, users, login):
    ticket = factories.ticket(world["jiashun"], title="楼道灯不亮")
    title = read(login("erin"), f"/work/tickets/{ticket.pk}/").title
    assert title.strip().startswith(f"工单 {ticket.number}") and "<" not in title
    assert "function" not in title and "{" not in title
