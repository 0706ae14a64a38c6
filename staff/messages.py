"""Console wording: answers to refused actions and the notes shown after an action."""

NOT_LOGGED_IN = "ログインしてください。セッションの有効期限が切れた可能性があります。"
NOT_ADMIN = "この操作は管理者だけが行えます。"
BAD_CSRF = "フォームの有効期限が切れました。画面を再読み込みしてから、もう一度操作してください。"
LOGIN_FAILED = "ログインIDまたはパスワードが正しくありません。"
LOGIN_LIMITED = (
    "ログインの失敗が続いたため、しばらくログインできません。"
    "{wait}ほど待ってからお試しください。"
)
UNKNOWN_LOGIN = "（不明）"  # the audit's actor when the typed login is no account of this office
NEED_MFA = (
    "管理者は二段階認証の設定が必要です。"
    "「二段階認証」の画面で設定してから操作してください。"
)
MFA_WRONG = (
    "確認コードが正しくありません。"
    "認証アプリの6桁のコード、または回復コードを入力してください。"
)
MFA_EXPIRED = "確認の有効期限が切れました。もう一度ログインしてください。"
MFA_ALREADY = "二段階認証はすでに設定されています。"
PASSWORD_WRONG = "現在のパスワードが正しくありません。"
PASSWORD_SHORT = "新しいパスワードは{min}文字以上にしてください。"
PASSWORD_LONG = "新しいパスワードは200文字以内にしてください。"
PASSWORD_COMMON = "よく使われているパスワードのため使えません。推測されにくいものにしてください。"
PASSWORD_IS_LOGIN = "ログインIDと同じ、またはログインIDを含むパスワードは使えません。"
PASSWORD_MISMATCH = "確認のため入力した新しいパスワードが一致しません。"
PASSWORD_UNCHANGED = "新しいパスワードは現在のものと別にしてください。"
BAD_DAY = "日付は YYYY-MM-DD の形で、{first}年から{last}年までの日付を指定してください。"
BAD_INPUT = "入力内容を確認してください（{fields}）。"
NOT_FOUND = "お探しのページは見つかりませんでした。"
NO_SITE = "指定された相談ブースの場所が見つかりません。場所の一覧から選び直してください。"
NO_BASIC_ID = (
    "LINE公式アカウントのID（設定 MADOGUCHI_LINE_BASIC_ID）が未設定のため、"
    "ポスターを作成できません。システム管理者に設定を依頼してください。"
)

ERRORS = {
    "not_found": "対象が見つかりませんでした。",
    "stale": (
        "この予約はほかの職員が先に更新しました。"
        "画面を再読み込みして最新の内容を確認してください。"
    ),
    "handled": (
        "この予約はすでに処理済みです（状態：{status}、担当：{by}）。"
        "画面を再読み込みしてください。"
    ),
    "past": "開始時刻を過ぎているため、この操作はできません。",
    "not_started": "開始時刻前のため、無断キャンセルは記録できません。",
    "bad_slot": (
        "その日時・ブースには予約を入れられません"
        "（開庁日の9:00〜16:30の30分単位、設定されたブース番号）。"
    ),
    "same_slot": "変更前と同じ日時・ブースです。",
    "taken": "その時間はすでに予約が入っています。別の時間を選んでください。",
    "bad_reason": "理由を200文字以内で入力してください。",
    "bad_note": "メモは1000文字以内で入力してください。",
    "bad_input": "入力内容を確認してください。",
    "blocked": "この利用者は利用停止中です。先に停止を解除してください。",
    "past_day": "今日以前の日付は指定できません。",
    "past_range": (
        "過ぎた日時は休止にできません。今日これから、または明日以降の日時を指定してください。"
    ),
    "bad_hours": "{reason}",
    "bad_map_url": "地図のリンクは https:// で始まるURLを入力してください。",
    "bad_booths": "ブース番号は1〜{max}の数字で、1つ以上入力してください。",
    "booth_elsewhere": (
        "ブース{booths}はほかの場所に設定されています。先にそちらから外してください。"
    ),
    "site_has_bookings": (
        "外す（または停止する）ブースに、これからの有効な予約が{count}件あります"
        "（最初は{first}）。先に予約を移動またはお断りしてください。"
    ),
    "bad_limit": (
        "日付か曜日（月〜金）のどちらか一方を指定し、"
        "人数は0以上、理由は200文字以内で入力してください。"
    ),
    "over_capacity": (
        "この時間帯には、すでに{capacity}件を超える予約があります：{slots}。"
        "先に予約を移動またはお断りしてから、対応人数を減らしてください。"
    ),
    "already_closed": "その日はすでに休業日です。",
    "not_open_day": (
        "その日は土日祝・年末年始の閉庁日、またはすでに休業日のため、休止する受付枠がありません。"
    ),
    "nothing_to_close": (
        "指定した日時・場所には、休止する受付枠がありません"
        "（相談ブースの受付時間外、すでに休止中、または受付時間を過ぎています）。"
        "日付・時間帯・場所を確認してください。"
    ),
    "bad_closure_range": "{why}",
    "closure_needs_reason": (
        "この範囲には有効な予約が{count}件あります。"
        "予約した方にお知らせするため、理由（例：大雪のため）を入力してください。"
    ),
    "already_reopened": "この休止はすでに再開済みです。",
    "bad_phone": "電話番号の形式が正しくありません（例：0173-00-0000）。",
    "booths_in_use": "減らすブースに有効な予約があります。先に予約を移動してください。",
    "booths_by_site": ("相談ブースの場所が複数あるため、ブースの数は「相談ブースの場所」ページで"
                       "場所ごとに変更してください。"),
    "version_exists": "その版はすでに登録されています。",
    "not_newer": "適用日は、登録済みのどの版よりも後の日付にしてください。",
    "already_blocked": "この利用者はすでに利用停止中です。",
    "not_blocked": "この利用者は利用停止されていません。",
    "not_limited": (
        "この利用者は無断キャンセルによる利用制限を受けていません。"
        "画面を再読み込みしてください。"
    ),
    "bad_range": "期間を確認してください（開始日≦終了日、最長1年）。",
    "account": "{message}",
    "self": "自分のアカウントは無効にできません。",
}
ERROR_OTHER = "この操作はできませんでした。"

DONE = {
    "site_saved": "相談ブースの場所を保存しました。",
    "limit_added": "対応人数の制限を追加しました。",
    "limit_removed": "対応人数の制限を取り消しました。",
    "confirmed": "確定しました。利用者にLINEでお知らせしました。",
    "moved": "時間を変更し、利用者に承諾または取消をお願いしました。",
    "declined": "お断りしました。利用者に理由とお問い合わせ先をお知らせしました。",
    "no_show": "無断キャンセルとして記録し、利用者にお知らせしました。",
    "checked_in": "来所を記録しました。",
    "noted": "メモを保存しました。",
    "booked": "代理で予約し、利用者にLINEでお知らせしました。",
    "closure_added": "休業日を追加しました。",
    "closure_removed": "休業日を取り消しました。",
    "closure_told": "休止しました。予約していた{count}人にLINEでお知らせしました。",
    "closure_reopened": "再開しました。この時間帯は再び予約できます。",
    "immediate_on": "「今すぐ相談」の受付を開始しました。",
    "immediate_off": "「今すぐ相談」の受付を停止しました。",
    "settings": "設定を保存しました。",
    "terms": "利用規約の新しい版を公開し、{count}人の利用者にお知らせしました。",
    "blocked": "利用を停止しました。",
    "unblocked": "利用停止を解除しました。",
    "limit_lifted": "利用制限を解除しました。利用者にLINEでお知らせしました。",
    "account_added": "職員アカウントを追加しました。",
    "account_disabled": "職員アカウントを無効にしました。",
    "unlinked": "LINE連携を解除しました。",
    "logged_out": "ログアウトしました。",
    "password_changed": "パスワードを変更しました。ほかの端末のログインは終了しました。",
}

STATUSES = {
    "requested": "申込中",
    "confirmed": "確定",
    "cancelled": "取消",
    "declined": "お断り",
    "expired": "期限切れ",
    "no_show": "無断キャンセル",
    "moved": "時間変更済み",
    "completed": "終了",
    "closed": "臨時休止",
}
ROLES = {"staff": "職員", "admin": "管理者"}
USER_ROLES = {"jobseeker": "求職者", "employer": "求人者"}
ACTIONS = {
    "booking.confirm": "確定",
    "booking.move": "時間変更",
    "booking.decline": "お断り",
    "booking.no_show": "無断キャンセル記録",
    "booking.check_in": "来所記録",
    "booking.note": "メモ",
    "booking.book_for": "代理予約",
    "closure.add": "休業日・臨時休止の追加",
    "closure.remove": "休業日取消",
    "closure.reopen": "休止の再開",
    "booking.closed": "臨時休止で閉じた",
    "closure.moved": "休止後に時間を変更（利用者）",
    "closure.cancelled": "休止後に取消（利用者）",
    "office.immediate": "今すぐ相談の切替",
    "office.settings": "設定変更",
    "terms.publish": "利用規約の公開",
    "user.block": "利用停止",
    "user.unblock": "利用停止の解除",
    "user.lift_limit": "利用制限の解除",
    "user.reveal": "個人情報の表示",
    "usage.export": "利用記録の出力",
    "staff.login": "ログイン",
    "staff.login_failed": "ログイン失敗",
    "staff.logout": "ログアウト",
    "staff.link_code": "LINE連携コード発行",
    "staff.link": "LINE連携",
    "staff.unlink": "LINE連携解除",
    "staff.add": "職員追加",
    "staff.disable": "職員無効化",
    "staff.mfa_failed": "二段階認証の失敗",
    "staff.password": "パスワード変更",
    "staff.mfa_enable": "二段階認証の設定",
    "staff.mfa_reset": "二段階認証のリセット",
}


def wait_text(seconds: int) -> str:
    """A wait in words: "30秒", "2分"."""
    return f"{seconds}秒" if seconds < 60 else f"{-(-seconds // 60)}分"


def error_text(code: str, facts: dict[str, object]) -> str:
    """The sentence for a refused action."""
    values = {"status": STATUSES.get(str(facts.get("status")), facts.get("status")),
              "by": facts.get("by") or "ー", **{k: v for k, v in facts.items()
                                                if k not in ("status", "by")}}
    try:
        return ERRORS.get(code, ERROR_OTHER).format(**values)
    except (KeyError, IndexError):
        return ERROR_OTHER
