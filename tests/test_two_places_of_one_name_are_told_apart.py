"""Issue 28, finding 9: the 五个好 organisation picker listed identical "下六工村村党支部" rows
with no county, and a unit picker cannot tell one county's 住建局 from another's. A name that
appears twice says where each one is: its county and township."""

from jiceng import factories
from jiceng.orgs.models import PartyOrg, Unit
from jiceng.regions.labels import places
from jiceng.tickets.workbench import _unit_choices


def test_a_village_is_placed_by_its_county_and_township(world):
    found = places([world["jiashun"], world["baojiadian_village"], world["changji_city"]])
    assert found[world["jiashun"].pk] == "昌吉市 · 建国路街道"
    assert found[world["baojiadian_village"].pk].startswith("玛纳斯县 · ")
    assert found[world["changji_city"].pk] == "昌吉市"


def test_a_unit_picker_says_which_county_a_shared_name_belongs_to(world):
    zjj = world["changji_zjj"]
    other = factories.unit(world["manas"], zjj.type.code, name=zjj.name)
    ticket = factories.ticket(world["jiashun"])
    units = Unit.objects.filter(pk__in=[zjj.pk, other.pk, world["jiashun_unit"].pk])
    names = [u["name"] for u in _unit_choices(units, ticket, None)]
    assert f"{zjj.name}（昌吉市）" in names and f"{zjj.name}（玛纳斯县）" in names
    assert world["jiashun_unit"].name in names  # a name of its own stays as it is
    assert names.index(f"{zjj.name}（昌吉市）") < names.index(f"{zjj.name}（玛纳斯县）")


def test_the_organisation_picker_names_each_branchs_place(world, login):
    PartyOrg.objects.create(name="嘉顺社区党支部", kind="党支部", region=world["jianguo"])
    assessor = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    client = login("alice")
    client.force_login(assessor)
    page = client.get("/evaluation/diagnoses/", {"q": "嘉顺社区党支部"}).content.decode()
    assert "昌吉市 · 建国路街道 · 嘉顺社区居委会" in page
    assert "昌吉市 · 建国路街道 · 建国社区居委会" in page
