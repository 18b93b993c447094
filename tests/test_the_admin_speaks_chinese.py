"""Issue 28, finding 9: the admin's add-user form was in English ("Choose all 角色", "After
you've created a user…"). Every admin page is in Chinese, the widgets' scripts included."""


def test_the_add_user_form_is_in_chinese(login):
    page = login("alice").get("/admin/orgs/user/add/").content.decode()
    assert "After you've created a user" not in page
    assert "创建账号后，可以继续设置角色" in page


def test_the_widgets_script_catalog_is_chinese(login):
    script = login("alice").get("/admin/jsi18n/").content.decode()
    assert "全选" in script or "\\u5168\\u9009" in script  # "Choose all"
