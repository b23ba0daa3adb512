"""Every picture the app shows has alt text: latentlab.ui.theme.image_alt, the default when a caller gave none
(well under a second)."""

from latentlab.ui.theme import image_alt


def test_a_caption_describes_its_picture():
    assert image_alt("x̂ = g(z) (decoded)") == "x̂ = g(z) (decoded)"
    assert image_alt("**x** (input)") == "x (input)"  # markdown marks are not read out


def test_a_picture_without_caption_still_has_alt_text():
    assert image_alt(None) == "picture"
    assert image_alt("  ") == "picture"


def test_several_pictures_get_one_alt_each():
    assert image_alt(None, 3) == ["picture, 1 of 3", "picture, 2 of 3", "picture, 3 of 3"]
    assert image_alt(["a", None], 2) == ["a", "picture"]


def _undescribed_pictures() -> list[str]:
    """Every ``show_png`` / ``show_image`` call in the app's pages and panels that leaves its alt text
    to the generic "picture": neither ``alt=`` nor a caption (``caption=``, or show_image's third
    argument) that is not ``None``."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    found = []
    for path in sorted([*root.glob("latentlab/ui/*.py"), *root.glob("latentlab/ui/pages/*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("show_png", "show_image") or path.name == "theme.py":
                continue
            kw = {k.arg: k.value for k in node.keywords}
            caption = kw.get("caption", node.args[2] if name == "show_image" and len(node.args) > 2 else None)
            described = [v for v in (kw.get("alt"), caption) if v is not None]
            if not any(not (isinstance(v, ast.Constant) and v.value is None) for v in described):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_picture_grid_says_what_it_shows():
    # A grid of decoded images read out as "picture" tells a screen-reader user nothing: each call
    # names what its pictures are (alt=, or a caption the alt text is taken from).
    assert _undescribed_pictures() == []
