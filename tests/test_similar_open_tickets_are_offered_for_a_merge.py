"""When a ticket arrives, the dispatcher sees open tickets of the same township that say the
same thing, with how alike they are; merging stays the dispatcher's call."""

from jiceng import factories
from jiceng.dispatch import selectors, similarity
from jiceng.tickets import services

HEAT = "嘉顺小区3号楼暖气不热，家里只有十五度，老人孩子受不了"


def test_the_pure_ranking_finds_the_same_matter_in_other_words():
    text = similarity.message_text("暖气不热", HEAT)
    candidates = [
        (1, similarity.message_text("3号楼暖气温度低", "嘉顺小区3号楼暖气一直不热，室温十五六度")),
        (2, similarity.message_text("楼下饭馆噪音", "嘉顺小区楼下饭馆晚上噪音太大，影响休息")),
        (3, similarity.message_text("路灯不亮", "建国路路灯坏了好几天")),
    ]
    found = similarity.most_similar(text, candidates, selectors.background(), threshold=0.3)
    assert [m.key for m in found] == [1] and 0.3 <= found[0].score <= 1


def test_nothing_is_similar_to_nothing():
    assert similarity.most_similar("", [(1, "暖气不热")], selectors.background()) == []
    assert similarity.most_similar("暖气不热", [], selectors.background()) == []


def test_the_ticket_page_lists_similar_open_tickets_of_the_township(login, world, users):
    first = factories.ticket(world["jiashun"], title="暖气不热", content=HEAT)
    neighbour = factories.ticket(
        world["jianguo"], title="3号楼暖气温度低", content="嘉顺小区3号楼暖气一直不热，室温十五六度"
    )
    other = factories.ticket(world["jiashun"], title="噪音扰民", content="楼下饭馆晚上噪音太大")
    closed = factories.ticket(world["jiashun"], title="暖气不热", content=HEAT)
    services.merge(users["erin"], closed, first, reason="同一件事")
    found = [t for t, _ in selectors.similar_open(users["erin"], neighbour)]
    assert found == [first]
    page = login("erin").get(f"/work/tickets/{neighbour.pk}/").content.decode()
    assert first.number in page and "相似度" in page and other.number not in page
    assert closed.number not in page


def test_a_handler_without_the_merge_action_is_not_shown_the_list(login, world):
    factories.ticket(world["jiashun"], title="暖气不热", content=HEAT)
    twin = factories.ticket(world["jiashun"], title="暖气不热", content=HEAT)
    assert "疑似重复" not in login("dave").get(f"/work/tickets/{twin.pk}/").content.decode()
