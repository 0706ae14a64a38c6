"""Rich menus through the real SDK: create, image, default, per-user links, aliases."""

from __future__ import annotations

import pytest
from emulator_harness import Harness
from linebot.v3.messaging import (
    ApiException,
    AsyncMessagingApiBlob,
    CreateRichMenuAliasRequest,
    MessageAction,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    RichMenuSwitchAction,
    UpdateRichMenuAliasRequest,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def menu_request(name: str = "main", *areas: RichMenuArea) -> RichMenuRequest:
    return RichMenuRequest(
        size=RichMenuSize(width=2500, height=843), selected=True, name=name,
        chat_bar_text="メニュー",
        areas=list(areas) or [
            RichMenuArea(bounds=RichMenuBounds(x=0, y=0, width=1250, height=843),
                         action=PostbackAction(label="予約する", data="menu=book",
                                               display_text="予約する")),
            RichMenuArea(bounds=RichMenuBounds(x=1250, y=0, width=1250, height=843),
                         action=MessageAction(label="ヘルプ", text="ヘルプ")),
        ],
    )


async def make_menu(harness: Harness, name: str = "main", *areas: RichMenuArea) -> str:
    created = await harness.api.create_rich_menu(menu_request(name, *areas))
    blob = AsyncMessagingApiBlob(harness.api_client)
    await blob.set_rich_menu_image(
        created.rich_menu_id, PNG, _headers={"Content-Type": "image/png"}
    )
    return created.rich_menu_id


async def test_default_menu_is_what_every_user_sees_until_linked_otherwise(
    harness: Harness,
) -> None:
    user = await harness.new_user()
    main = await make_menu(harness)
    staff = await make_menu(harness, "staff")

    await harness.api.set_default_rich_menu(main)
    default_view = harness.emulator.richmenu_for(user)
    await harness.api.link_rich_menu_id_to_user(user, staff)
    linked_view = await harness.http.get("/emulator/api/richmenu", params={"user_id": user})
    linked = await harness.api.get_rich_menu_id_of_user(user)
    await harness.api.unlink_rich_menu_id_from_user(user)
    listed = await harness.api.get_rich_menu_list()

    assert default_view is not None and default_view["richMenuId"] == main
    menu = linked_view.json()["richMenu"]
    assert menu["richMenuId"] == staff and menu["name"] == "staff"
    assert menu["areas"][0]["action"]["data"] == "menu=book"
    image = await harness.http.get(menu["imageUrl"])
    assert image.content == PNG and image.headers["content-type"] == "image/png"
    assert linked.rich_menu_id == staff
    assert harness.emulator.richmenu_for(user)["richMenuId"] == main
    assert {m.rich_menu_id for m in listed.richmenus} == {main, staff}


async def test_linking_a_menu_without_image_is_refused(harness: Harness) -> None:
    user = await harness.new_user()
    created = await harness.api.create_rich_menu(menu_request())

    with pytest.raises(ApiException) as caught:
        await harness.api.link_rich_menu_id_to_user(user, created.rich_menu_id)

    assert caught.value.status == 400


async def test_invalid_menu_size_and_areas_are_rejected(harness: Harness) -> None:
    auth = {"Authorization": "Bearer t"}
    body = {"size": {"width": 2500, "height": 2500}, "selected": False, "name": "n",
            "chatBarText": "メニュー", "areas": []}

    square = await harness.http.post("/emulator/line/v2/bot/richmenu", json=body, headers=auth)
    too_big = await harness.http.post("/emulator/line/v2/bot/richmenu", headers=auth, json={
        **body, "size": {"width": 2500, "height": 843}, "areas": [{
            "bounds": {"x": 2000, "y": 0, "width": 1000, "height": 843},
            "action": {"type": "message", "text": "x"}}]})

    properties = {d["property"] for d in square.json()["details"]}
    assert square.status_code == 400 and {"size", "areas"} <= properties
    assert (
        too_big.status_code == 400
        and too_big.json()["details"][0]["property"] == "areas[0].bounds"
    )


async def test_alias_switch_from_the_page_links_the_target_menu(harness: Harness) -> None:
    user = await harness.new_user()
    tab_a = await make_menu(harness, "tab-a")
    tab_b = await make_menu(harness, "tab-b", RichMenuArea(
        bounds=RichMenuBounds(x=0, y=0, width=2500, height=843),
        action=RichMenuSwitchAction(label="A", rich_menu_alias_id="tab-a", data="switch=a"),
    ))
    await harness.api.create_rich_menu_alias(
        CreateRichMenuAliasRequest(rich_menu_alias_id="tab-a", rich_menu_id=tab_a)
    )
    await harness.api.create_rich_menu_alias(
        CreateRichMenuAliasRequest(rich_menu_alias_id="tab-b", rich_menu_id=tab_a)
    )
    await harness.api.update_rich_menu_alias(
        "tab-b", UpdateRichMenuAliasRequest(rich_menu_id=tab_b)
    )
    await harness.api.set_default_rich_menu(tab_b)

    result = await harness.emulator.send(
        user, postback="switch=a", params={"newRichMenuAliasId": "tab-a"}
    )
    view = await harness.http.get("/emulator/api/richmenu", params={"user_id": user})
    aliases = await harness.api.get_rich_menu_alias_list()

    assert harness.bot.bodies[-1]["events"][0]["postback"]["params"] == {
        "newRichMenuAliasId": "tab-a", "status": "SUCCESS",
    }
    assert result["messages"][0]["text"].startswith("postback switch=a")
    assert view.json()["richMenu"]["richMenuId"] == tab_a
    assert set(view.json()["aliases"]) == {"tab-a", "tab-b"}
    assert {(a.rich_menu_alias_id, a.rich_menu_id) for a in aliases.aliases} == {
        ("tab-a", tab_a), ("tab-b", tab_b),
    }


async def test_deleting_a_menu_unlinks_it(harness: Harness) -> None:
    user = await harness.new_user()
    menu = await make_menu(harness)
    await harness.api.link_rich_menu_id_to_user(user, menu)

    await harness.api.delete_rich_menu(menu)

    assert harness.emulator.richmenu_for(user) is None
    with pytest.raises(ApiException) as caught:
        await harness.api.get_rich_menu(menu)
    assert caught.value.status == 404


async def test_image_can_be_uploaded_once(harness: Harness) -> None:
    menu = await make_menu(harness)
    blob = AsyncMessagingApiBlob(harness.api_client)

    with pytest.raises(ApiException) as caught:
        await blob.set_rich_menu_image(menu, PNG, _headers={"Content-Type": "image/png"})

    assert caught.value.status == 400


async def test_bulk_link_default_lookup_and_alias_removal(harness: Harness) -> None:
    users = [await harness.new_user() for _ in range(2)]
    menu = await make_menu(harness)
    auth = {"Authorization": "Bearer t"}
    base = "/emulator/line/v2/bot"

    linked = await harness.http.post(f"{base}/richmenu/bulk/link", headers=auth,
                                     json={"richMenuId": menu, "userIds": users})
    no_default = await harness.http.get(f"{base}/user/all/richmenu", headers=auth)
    await harness.api.set_default_rich_menu(menu)
    default = await harness.api.get_default_rich_menu_id()
    await harness.api.create_rich_menu_alias(
        CreateRichMenuAliasRequest(rich_menu_alias_id="main", rich_menu_id=menu)
    )
    await harness.api.delete_rich_menu_alias("main")
    unlinked = await harness.http.post(
        f"{base}/richmenu/bulk/unlink", headers=auth, json={"userIds": users}
    )
    validated = await harness.api.validate_rich_menu_object(menu_request())

    assert linked.status_code == 202 and unlinked.status_code == 202
    assert no_default.status_code == 404
    assert default.rich_menu_id == menu
    assert validated is None
    with pytest.raises(ApiException) as missing:
        await harness.api.get_rich_menu_alias("main")
    assert missing.value.status == 404
    with pytest.raises(ApiException) as personal:
        await harness.api.get_rich_menu_id_of_user(users[0])
    assert personal.value.status == 404
