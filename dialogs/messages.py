"""Engine-level wording (polite, short); each flow keeps its own wording beside it."""

EXPIRED_BUTTON = "このボタンは有効期限が切れました。現在の手続きから続けてください。"
NOT_TEXT = "スタンプや画像にはお答えできません。文字を入力するか、ボタンを選んでください。"
TOO_LONG = "入力が長すぎます。短く入力してください。"
ERROR = "申し訳ありません。処理中にエラーが発生しました。お手数ですが、もう一度お試しください。"
BUSY = "ただいま混み合っています。少し待ってからもう一度お試しください。"
CANCELLED = "手続きを中止しました。入力内容は保存していません。"
NOTHING_TO_CANCEL = "中止する手続きはありません。"
BACK = "ひとつ前の手順に戻ります。"
NO_BACK = "これ以上は戻れません。"
RESTART = "最初からやり直します。"
CHOOSE_BELOW = "下のボタンから選んでください。"  # a step's default hint (dialogs/flow.py)
IDLE_HINT = "ご用件を下のボタンまたはメニューから選んでください。"
HELP = (
    "使い方のご案内です。\n"
    "・予約する：オンライン相談ブースの予約を申し込みます\n"
    "・予約の確認・キャンセル：申込内容の確認や取消ができます\n"
    "・今すぐ相談：空いていれば、すぐにご相談いただけます\n"
    "・利用規約／問い合わせ\n"
    "手続きの途中では「戻る」「最初から」「やめる」も使えます。"
)

MENU = ("予約する", "予約の確認・キャンセル", "今すぐ相談", "利用規約", "問い合わせ")  # chips

CANCEL_WORDS = frozenset({"やめる", "キャンセル", "中止", "やめます"})
BACK_WORDS = frozenset({"戻る", "もどる", "前に戻る"})
RESTART_WORDS = frozenset({"最初から", "さいしょから", "はじめから", "メニュー"})
HELP_WORDS = frozenset({"ヘルプ", "help", "使い方", "?", "？"})
MAX_TEXT = 500
