"""Wording of the waitlist (DESIGN.md §8): joining on a full day, the offer, the first tap wins."""

JOINED = (
    "{day}に空きが出たら、このトークでお知らせします（先着順です）。\n"
    "ほかの日を選ぶこともできます。"
)
OFFER_TITLE = "空きが出ました"
OFFER_TEXT = (
    "お待ちいただいていた{day}に空きが出ました。"
    "ご希望の時間を押すと、その場でお申し込みになります（先着順）。"
)
OFFER_BUTTON = "{time}から申し込む"
TAKEN = (
    "申し訳ありません。この枠には、先にほかの方のお申し込みがありました。"
    "引き続き、空きが出たらお知らせします。"
)
TAKEN_OTHERS = "同じ日のほかの空き枠です。"
GONE = "このお知らせは有効期限が切れました。ご予約は「予約する」からお申し込みください。"
PROFILE_NEEDED = "お申し込みには登録内容が必要です。「予約する」からお申し込みください。"
