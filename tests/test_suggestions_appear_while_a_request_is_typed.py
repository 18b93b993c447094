"""The hotline form asks, as the request is typed, for the likely categories and for open
tickets nearby that say the same; a missing model leaves the form working without them."""

from jiceng import factories

TEXT = "学校要求家长统一购买课外辅导资料，收费不合理，请教育部门查一查"


def test_the_likely_categories_come_back_as_buttons(login, world, dispatch_model):
    page = login("ivan").post("/work/tickets/suggest/", {"content": TEXT}).content.decode()
    assert "可能的分类" in page and "教育文体" in page and "%" in page


def test_an_open_ticket_saying_the_same_nearby_is_shown(login, world, dispatch_model):
    twin = factories.ticket(world["jiashun"], title="课外资料乱收费", content=TEXT)
    far = factories.ticket(world["baojiadian_village"], title="课外资料乱收费", content=TEXT)
    page = login("ivan").post(
        "/work/tickets/suggest/", {"content": TEXT, "village": world["jiashun"].code}
    )
    html = page.content.decode()
    assert twin.number in html and "相似度" in html
    assert far.number not in html  # another county: outside the intake clerk's scope


def test_without_a_model_the_form_still_answers(login, world):
    page = login("ivan").post("/work/tickets/suggest/", {"content": TEXT}).content.decode()
    assert "尚未训练派单模型" in page


def test_only_those_who_take_requests_in_may_ask(login, world):
    assert login("dave").post("/work/tickets/suggest/", {"content": TEXT}).status_code == 403


def test_the_form_carries_the_live_suggestion_box(login, world):
    page = login("ivan").get("/work/tickets/new/").content.decode()
    assert 'id="suggest-box"' in page and "/work/tickets/suggest/" in page
