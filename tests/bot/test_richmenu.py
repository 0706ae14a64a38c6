"""The rich menu: installed through the Messaging API, its areas start the five flows."""

from __future__ import annotations

import io

from PIL import Image

from bot.richmenu import AREAS, HEIGHT, WIDTH, install, render_image
from tests.helpers import texts


def test_the_generated_image_has_the_size_line_requires():
    image = Image.open(io.BytesIO(render_image()))
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT)


def test_installing_makes_it_every_users_menu_and_each_area_starts_its_flow(live, user):
    host = live.services.line_host
    live.call(install(api_host=host, data_host=host,
                      token=live.settings.line_channel_access_token))
    menu = live.services.emulator.richmenu_for(user)
    assert menu is not None
    labels = [area["action"]["label"] for area in menu["areas"]]
    assert labels == [a.label for a in AREAS]
    live.send(user, event="follow")
    by_label = {area["action"]["label"]: area["action"]["data"] for area in menu["areas"]}
    contact = live.send(user, postback=by_label["問い合わせ"])
    assert "0173-00-0000" in texts(contact)
    terms = live.send(user, postback=by_label["利用規約"])
    assert "利用規約" in texts(terms)
