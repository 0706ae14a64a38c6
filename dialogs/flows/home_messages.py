"""Wording of the greeting, the menu and the contact card."""

GREETING = (
    "友だち追加ありがとうございます。\n"
    "{office}の「オンライン相談ブース」の予約窓口です。"
    "職業相談や求人のご相談、オンライン面接のご予約を、このトークで受け付けます。"
)
MENU = "ご用件を選んでください。"
CONTACT_TITLE = "お問い合わせ"
CONTACT_LINES = ("{office}", "電話：{phone}", "受付：{hours}", "所在地：{address}")
CALL = "電話をかける"
CONTACT_NOTE = "キャンセルや日時のご相談はお電話でも承ります。"
