"""Issue 28, finding 5: the minimum length ("至少 10 字") was counted in characters, which suits
Han script; ten letters of Uyghur or Kazakh are one or two words. Han is counted by
characters, alphabetic scripts by words."""

from jiceng.core.text import long_enough


def test_han_is_counted_by_characters():
    assert long_enough("路灯不亮了")
    assert not long_enough("路灯坏了")


def test_uyghur_and_kazakh_are_counted_by_words():
    assert long_enough("ئىسسىق سۇ يوق")  # no hot water: three words, eleven letters
    assert long_enough("جول بۇزىلدى, كولىك جۇرە المايدى")
    assert not long_enough("يول بۇزۇلدى")  # two words: too little to act on


def test_a_place_in_han_with_words_in_arabic_script_is_enough():
    assert long_enough("呼图壁县五工台镇 ئىسسىق سۇ يوق")


def test_the_resident_form_takes_three_uyghur_words(world, client):
    answer = client.post(
        "/submit/",
        {
            "content": "ئىسسىق سۇ يوق",
            "county": world["changji_city"].code,
            "township": world["jianguolu"].code,
            "village": world["jiashun"].code,
            "phone": "13912345678",
        },
    )
    assert answer.status_code == 302
