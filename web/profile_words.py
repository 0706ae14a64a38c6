"""What the profile form's pages say when a link opens nothing or a submission is not saved."""

from storage.forms import Refusal

AGAIN = "お手数ですが、LINEのトークで「予約する」から、もう一度お試しください。"
REOPEN = ("お手数ですが、LINEのトークからフォームを開き直してください（少し時間をおくと"
          "つながることがあります）。")
GONE = {
    Refusal.EXPIRED: "このリンクの有効期限が切れました。",
    Refusal.USED: "このリンクはすでに使用されました。",
    Refusal.LOCKED: "入力の誤りが続いたため、このリンクは使えなくなりました。",
    Refusal.UNKNOWN: "このリンクは正しくありません。",
    Refusal.REVOKED: "新しいリンクをお送りしたため、このリンクは使えなくなりました。",
    Refusal.OTHER_BROWSER: "このリンクはすでに別のブラウザで開かれています。",
}
ADVICE = {
    Refusal.REVOKED: "お手数ですが、LINEのトークに届いている最新のリンクから開いてください。",
    Refusal.OTHER_BROWSER: "最初に開いたブラウザでお使いいただくか、お手数ですが、LINEのトークで"
                           "「予約する」から新しいリンクを受け取って開き直してください。",
}
LIFF_REFUSED = "LINEでご本人の確認ができなかったため、送信された内容は保存していません。"
LIFF_UNAVAILABLE = "ただいまLINEでご本人の確認ができないため、送信された内容は保存していません。"
NOT_SAVED = "ただいまシステムの都合で保存できませんでした。入力内容は保存していません。"
GONE_HEADING = "このリンクは使えません"
NOT_SENT = "送信できませんでした"
NOT_STORED = "保存できませんでした"
RETRY = "お手数ですが、少し時間をおいてから、このページでもう一度送信してください。"
