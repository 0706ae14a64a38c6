"""Wording of the role, eligibility and profile steps (art. 2, 5(2); DESIGN.md §3)."""

ASK_ROLE = "ご利用になる方を選んでください。"
JOBSEEKER = "求職者（仕事を探している方）"
EMPLOYER = "求人者（事業所の採用担当の方）"
ROLE_HINT = "「求職者」か「求人者」を選んでください。"
ROLE_WORDS = {
    "jobseeker": frozenset(
        {"求職者", "求職", "仕事を探している", "仕事を探しています", "求職者です"}
    ),
    "employer": frozenset({"求人者", "求人", "事業所", "企業", "会社", "採用担当", "求人者です"}),
}

ASK_REGISTERED = {
    "jobseeker": "ハローワークに求職登録はお済みですか？",
    "employer": "ハローワークに事業所登録はお済みですか？",
}
REGISTERED = "登録しています"
NOT_YET = "まだ登録していません"
NO_PLAN = "登録する予定はありません"
REGISTERED_HINT = "「登録しています」か「まだ登録していません」を選んでください。"
REGISTERED_WORDS = frozenset({"登録しています", "登録済み", "はい", "している", "済み"})
NOT_YET_WORDS = frozenset(
    {"まだ登録していません", "まだ", "未登録", "これから", "いいえ", "まだです"}
)
NOT_ELIGIBLE = (
    "オンライン相談ブースは、ハローワークに登録している方、またはこれから登録する方がご利用いただけます"
    "（利用規約第2条）。\n登録のご相談は、窓口またはお電話（{phone}）で承ります。"
)

FORM_TEXT = (
    "お名前（事業所名）、求職番号（事業所番号）、電話番号は、個人情報保護のため、"
    "トークではなく専用の入力フォームでお預かりします（有効期限{minutes}分・1回限り）。"
)
FORM_LABEL = "入力フォームを開く"
FORM_HINT = (
    "入力フォームで送信すると、このトークに続きが自動で届きます。\n"
    "氏名や電話番号などは、トークに入力しないでください。"
)
NO_PERSONAL_IN_CHAT = (
    "個人情報保護のため、氏名・番号・電話番号はトークではお預かりしません。"
    "入力内容は保存していません。下の入力フォームからご登録ください。"
)
FORM_LOCKED = (
    "入力の誤りが続いたため、しばらくの間フォームをご利用いただけません。"
    "1時間ほどたってからお試しいただくか、お電話（{phone}）でお申し込みください。"
)

CHECK_TITLE = "ご登録内容"
CHECK_INTRO = "前回ご登録の内容でお申し込みします。よろしいですか？"
CHECK_OK = "この内容で進む"
CHECK_CHANGE = "登録内容を変更する"
CHECK_HINT = "「この内容で進む」か「登録内容を変更する」を選んでください。"
OK_WORDS = frozenset({"この内容で進む", "はい", "進む", "OK", "ok", "オーケー"})
CHANGE_WORDS = frozenset({"登録内容を変更する", "変更する", "変更", "修正"})
ROLE_LINE = "区分：{role}"
NAME_LINE = "お名前：{name}"
PHONE_LINE = "電話：{phone}"
NUMBER_LINE = "番号：{number}"
NUMBER_UNREGISTERED = "番号：未登録（これから登録）"

SAVED = "ご登録内容を保存しました（{name}、電話 {phone}）。"
SAVED_IDLE = "ご登録内容を保存しました（{name}、電話 {phone}）。ご用件を選んでください。"
MENU = "ご用件を選んでください。"
