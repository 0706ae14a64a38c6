"""Wording of 今すぐ相談 (art. 5-2): available now, or why not and the next bookable slot."""

CLOSED = "ただいまは受付時間外です（{hours}）。"
DISABLED = "ただいま、今すぐ相談は受け付けていません。"
BUSY = "ただいま、オンライン相談ブースはすべて使用中です。"
ALREADY = "この時間帯は、すでにお申し込みいただいています。担当者からのご連絡をお待ちください。"
OFFER_BOOK = "ご予約いただくと確実にご利用いただけます。"
BOOK = "予約する"

AVAILABLE = (
    "ただいまブースが空いています（{span}の枠）。"
    "ご用件などをうかがって、すぐにお申し込みします。"
)
AVAILABLE_AT = (
    "「{site}」の相談ブースがただいま空いています（{span}の枠）。"
    "ご用件などをうかがって、すぐにお申し込みします。"
)
SUMMARY_TITLE = "今すぐ相談のお申し込み"
LINE_SPAN = "時間：{span}（今すぐ）"
APPLY = "申し込む"
QUIT = "やめる"
HINT = "「申し込む」か「やめる」を選んでください。"
APPLY_WORDS = frozenset({"申し込む", "はい", "お願いします", "申込"})
RECEIVED = (
    "今すぐ相談のお申し込みを受け付けました（{span}）。\n"
    "担当者から登録の電話番号（{phone}）あてに、すぐにご連絡します。このままお待ちください。"
)
QUIT_DONE = "お申し込みをやめました。"
