"""Every picture the app shows has alt text: ui.theme.image_alt, the default when a caller gave none
(well under a second)."""

from ui.theme import image_alt


def test_a_caption_describes_its_picture():
    assert image_alt("x̂ = g(z) (decoded)") == "x̂ = g(z) (decoded)"
    assert image_alt("**x** (input)") == "x (input)"  # markdown marks are not read out


def test_a_picture_without_caption_still_has_alt_text():
    assert image_alt(None) == "picture"
    assert image_alt("  ") == "picture"


def test_several_pictures_get_one_alt_each():
    assert image_alt(None, 3) == ["picture, 1 of 3", "picture, 2 of 3", "picture, 3 of 3"]
    assert image_alt(["a", None], 2) == ["a", "picture"]
