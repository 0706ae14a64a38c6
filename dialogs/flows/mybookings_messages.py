"""Wording of 予約の確認・キャンセル: the list, cancelling, answering a time the office moved."""

NONE = "現在、お申し込み中・ご予約中の予約はありません。"
BOOK = "予約する"
LIST_INTRO = "お申し込み中・ご予約中の予約です（{n}件）。"
LIST_ALT = "ご予約の一覧"
LIST_NOTE = "取り消しはボタンから、またはお電話（{phone}）でも承ります。"
LINE_STATUS = "状態：{status}"
LINE_PURPOSE = "ご用件：{purpose}"
LINE_ATTENDANT = "同席：{attendant}"
LINE_NOW = "今すぐ相談"
LINE_MOVED = "ハローワークの都合により日時が変更されました。"
LINE_MOVED_ASK = "この日時でよろしいか、お知らせください。"
CANCEL = "キャンセルする"
ICS = "カレンダーに追加"
ACCEPT = "この日時で承諾"

ASK_CANCEL = (
    "次のご予約を取り消しますか？\n{span}（{purpose}）\n"
    "お電話（{phone}）でも取り消しを承ります。"
)
ASK_REFUSE = (
    "変更後の日時（{span}）ではご都合が合わない場合、このご予約を取り消します。よろしいですか？\n"
    "別の日時のご相談は、お電話（{phone}）でも承ります。"
)
YES = "取り消す"
NO = "取り消さない"
CONFIRM_HINT = "「取り消す」か「取り消さない」を選んでください。"
YES_WORDS = frozenset({"取り消す", "はい", "キャンセルする", "取消", "取り消します"})
NO_WORDS = frozenset({"取り消さない", "いいえ", "やめない"})
CANCELLED = (
    "ご予約を取り消しました（{span}）。ハローワークにもお知らせしました。\n"
    "ご不明な点はお電話（{phone}）でお問い合わせください。"
)
KEPT = "取り消しをやめました。ご予約はそのままです。"
STARTED = (
    "開始時刻を過ぎたご予約は、このトークでは取り消せません。"
    "お電話（{phone}）でご連絡ください。"
)
NOT_FOUND = (
    "このご予約は見つからないか、すでに取り消されています。"
    "最新の内容は「予約の確認・キャンセル」でご確認ください。"
)

ACCEPTED = (
    "変更後の日時（{span}）で承りました。"
    "ハローワークにもお知らせしました。当日お待ちしています。"
)
ALREADY = "変更後の日時（{span}）は、すでに承諾いただいています。"
NOT_MOVABLE = (
    "このご予約は、現在お返事いただける状態ではありません。"
    "最新の内容は「予約の確認・キャンセル」でご確認いただくか、お電話（{phone}）でお問い合わせください。"
)
