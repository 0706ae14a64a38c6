"""Wording of an emergency closure (DESIGN §13): the notice, and the answers to its buttons.

Catalog sources (DESIGN.md §14); CAUSE_WORDS are the endings of a Japanese reason staff type.
"""

CLOSED_TITLE = "ご予約の時間を休止します"
CLOSED_TEXT = (
    "申し訳ありません。{reason}、次のご予約の時間の相談ブースを休止することになりました。\n"
    "日時：{span}{place}\n"
    "ご迷惑をおかけしますが、ご了承ください。"
)
PLACE = "\n場所：{site}"
CHOOSE = "下のボタンから別の時間を選ぶと、その時間でお申し込みになります（先着順）。"
NO_OPTIONS = "近い日に空いている時間がありません。別の日をご希望の場合はお電話でご相談ください。"
CALL = "ご不明な点は、お電話（{phone}）でお問い合わせください。"
DEFAULT_REASON = "ハローワークの都合により"
CAUSE_WORDS = ("ため", "により", "よって", "で")
OPTION_BUTTON = "{day} {time}からに変更"
CANCEL_BUTTON = "取り消す"

CANCELLED = (
    "{span}のご予約を取り消しました。お知らせを確認いただき、ありがとうございます。\n"
    "またのご利用をお待ちしています。"
)
ALREADY = (
    "このお知らせには、すでにお返事をいただいています。"
    "ご予約は「予約の確認・キャンセル」でご確認ください。"
)
GONE = (
    "このお知らせのご予約は見つかりませんでした。"
    "ご不明な点は、お電話（{phone}）でお問い合わせください。"
)
TAKEN = (
    "申し訳ありません。その時間には、先にほかの方のお申し込みがありました。"
)
TAKEN_OTHERS = "同じ場所の、ほかの空いている時間です。"
TAKEN_NONE = "近い日に空いている時間がありません。お電話（{phone}）でご相談ください。"
PROFILE_NEEDED = "お申し込みには登録内容が必要です。「予約する」からお申し込みください。"
