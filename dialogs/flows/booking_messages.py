"""Wording of the booking flow: purpose, extras, interpreter question, day, time, summary."""

ASK_PURPOSE = "ご用件を選んでください。"
PURPOSE_HINT = "ご用件を下のボタンから選んでください。"

ASK_JOB_NUMBER_REFERRAL = (
    "応募を考えている求人の求人番号があれば入力してください（例：02040-12345678）。"
    "まだ決まっていない場合は「求人番号なし」を選んでください。"
)
ASK_JOB_NUMBER_INTERVIEW = (
    "面接・選考を行う求人の求人番号を入力してください（例：02040-12345678）。"
)
NO_JOB_NUMBER = "求人番号なし"
NO_JOB_NUMBER_WORDS = frozenset({"求人番号なし", "なし", "ない", "未定", "まだ", "わからない"})

ASK_APPLICANTS = (
    "面接・選考する応募者の人数を選んでください。"
    "1名につき30分の枠を、続けて最大3枠までお申し込みいただけます。"
)
APPLICANTS_HINT = (
    "応募者の人数を1〜3名で選んでください。"
    "4名以上の場合はお電話（{phone}）でご相談ください。"
)
APPLICANT_LABEL = "{n}名"

ASK_ATTENDANT = (
    "当日、通訳者や介助者は同席されますか？（利用規約第11条により、同席する場合は事前のお知らせが必要です）"
)
ATTENDANT_CHOICES = (
    ("none", "同席者なし"),
    ("interpreter", "通訳者が同席"),
    ("assistant", "介助者が同席"),
    ("both", "通訳者と介助者"),
)
ATTENDANT_WORDS = {
    "none": frozenset(
        {"同席者なし", "なし", "いいえ", "いない", "いません", "本人のみ", "ひとり", "一人"}
    ),
    "interpreter": frozenset({"通訳者が同席", "通訳", "通訳者", "通訳あり"}),
    "assistant": frozenset({"介助者が同席", "介助", "介助者", "介助あり"}),
    "both": frozenset({"通訳者と介助者", "両方", "どちらも"}),
}
ATTENDANT_HINT = "同席される方を下のボタンから選んでください。"

ASK_DAY = "ご希望の日を選んでください（空き枠のある日を表示しています）。"
DAY_ALT = "ご希望の日を選んでください"
DAY_FREE = "空き {n}枠"
DAY_FULL = "満席"
PICK_DAY = "この日を選ぶ"
WAITLIST = "空きが出たら知らせる"
OTHER_DAY_TEXT = (
    "ほかの日は、カレンダーから選ぶか「12月10日」「来週月曜 10時」のように入力してください。"
)
OTHER_DAY_LABEL = "カレンダーから選ぶ"
DAY_HINT = "日付をボタンから選ぶか、「12月10日」「明日の14時」のように入力してください。"

DAY_PAST = "過ぎた日付はご予約いただけません。"
DAY_TODAY = (
    "当日のご予約はお受けしていません。"
    "空いていればすぐにご相談いただける「今すぐ相談」をご利用ください。"
)
DAY_CLOSED = "{day}は{reason}のため、オンライン相談ブースはお休みです。"
DAY_WEEKEND = "土曜・日曜"
DAY_YEAR_END = "年末年始（12月29日〜1月3日）"
DAY_OFFICE_CLOSED = "休館日"
DAY_DEADLINE = "{day}のご予約の受付は、{deadline}で締め切りました（前日までに予約を確定するため）。"
DAY_TOO_FAR = "ご予約は{limit}日先までお受けしています。もう少し近い日を選んでください。"
DAY_NO_FREE = "{day}は空いている枠がありません。"

ASK_TIME = "{day}の空いている時間です。ご希望の開始時刻を選んでください。"
ASK_TIME_MANY = (
    "{day}、{n}枠続けて空いている開始時刻です（{minutes}分間）。ご希望を選んでください。"
)
TIME_ALT = "時間を選んでください"
TIME_CARD = "{first}〜"
TIME_HINT = "時刻をボタンから選ぶか、「10時半」「14:00」のように入力してください。"
NOT_SLOT_START = "ご予約は9:00〜16:30の間、30分単位（9:00、9:30 …）の開始時刻でお受けしています。"
OTHER_DAY = "ほかの日を選ぶ"
READ_AS = "「{typed}」を {span} と読み取りました。"

TAKEN = "申し訳ありません。{span}は、ちょうどほかの方のご予約が入りました。"
TAKEN_ALREADY = "申し訳ありません。{span}はすでにご予約が入っています。"
ALTERNATIVES = "近い日時で空いている枠です。ご希望があれば選んでください。"
NO_ALTERNATIVES = (
    "近い日時に空いている枠がありません。"
    "ほかの日を選ぶか、空きが出たときのお知らせをご利用ください。"
)
ALT_HINT = "ボタンから枠を選ぶか、「ほかの日を選ぶ」を選んでください。"

SUMMARY_TITLE = "お申し込み内容の確認"
SUMMARY_INTRO = "次の内容でお申し込みします。よろしければ「確定する」を押してください。"
LINE_SPAN = "日時：{span}"
LINE_PURPOSE = "ご用件：{purpose}"
LINE_JOB_NUMBER = "求人番号：{number}"
LINE_APPLICANTS = "応募者：{n}名"
LINE_ATTENDANT = "同席：{attendant}"
LINE_NOTE = "※ハローワークから電話で日時を確認し、確定のご連絡をします。"
COMMIT = "確定する"
RESLOT = "日時を選び直す"
QUIT = "やめる"
SUMMARY_HINT = "「確定する」「日時を選び直す」「やめる」から選んでください。"
COMMIT_WORDS = frozenset({"確定する", "確定", "はい", "お願いします", "申し込む"})
QUIT_DONE = "お申し込みをやめました。入力内容は保存していません。"
NOT_BOOKABLE = "申し訳ありません。その日時の受付は締め切られました。ほかの日時を選んでください。"
CONSENT_AGAIN = (
    "利用規約が改定されたため、あらためて同意をお願いします。"
    "同意のあと、もう一度お申し込みください。"
)
