"""Wording of the walk-up 今すぐ相談 (a site's poster QR code): refusals and the next slots."""

SITE_UNAVAILABLE = (
    "申し訳ありません。この相談ブースは現在ご利用いただけません。\n"
    "ご用件はお電話（{phone}、{hours}）でお問い合わせください。"
)
BUSY_AT = "ただいま「{site}」の相談ブースは使用中です。"
SITE_CLOSED = "ただいま「{site}」の相談ブースは利用時間外です（{hours}）。"
NEXT_AT = "「{site}」で次にご予約いただける枠です。選ぶと予約のお申し込みに進みます。"
NO_NEXT_AT = (
    "「{site}」には近日中にご予約いただける空き枠がありません。"
    "お電話（{phone}）でもご相談いただけます。"
)
HINT = "ご希望の枠を下のボタンから選んでください。やめる場合は「やめる」と入力してください。"
TAKEN = "その枠はちょうど埋まりました。ほかの枠を選んでください。"
NOT_BOOKABLE = "その枠の受付は締め切りました。ほかの枠を選んでください。"
