"""Wording shared by the user flows: refusals, limits, the booth rules, the request received."""

from dialogs.flows.labels import BOOTH_RULES, RULES_TITLE

REFUSED = (
    "申し訳ありません。現在、このトークからのご予約・ご利用はお受けできません。\n"
    "ご用件はお電話（{phone}、{hours}）でお問い合わせください。"
)
LIMIT = (
    "お申し込み中・ご予約中の件数が上限（{limit}件）に達しているため、新しいお申し込みはできません。\n"
    "「予約の確認・キャンセル」から内容をご確認いただくか、お電話（{phone}）でご相談ください。"
)
PROFILE_MISSING = "お申し込みには、氏名・番号・電話番号のご登録が必要です。"
RECEIVED = (
    "お申し込みを受け付けました。\n"
    "日時：{span}\n"
    "ご用件：{purpose}\n"
    "状態：{status}\n"
    "ハローワークから登録の電話番号（{phone}）あてに、日時確定のご連絡をします。"
    "確定しましたら、このトークでもお知らせします。"
)
RULES = "\n".join((f"{RULES_TITLE}（利用規約第11条）", *BOOTH_RULES,
                   "取り消しは「予約の確認・キャンセル」から、またはお電話（{phone}）でご連絡ください。"))
NEXT_SLOT = "次にご予約いただける枠：{span}"
NO_NEXT_SLOT = "近日中にご予約いただける空き枠はありません。"
