"""Wording of the terms and consent steps (art. 5 前文, 5-2(2), 12)."""

TITLE = "利用規約への同意"
INTRO = "ご利用の前に、利用規約（{version}版、{effective}施行）をご確認ください。"
CHANGED = (
    "利用規約が改定されました（{version}版、{effective}施行）。\n"
    "主な変更点：{changes}\n"
    "引き続きご利用いただくには、改定後の利用規約への同意が必要です。"
)
ASK = "利用規約に同意しますか？"
AGREE = "同意する"
REFUSE = "同意しない"
READ_ALL = "全文を読む"
AGREED = "利用規約（{version}版）への同意を記録しました。ありがとうございます。"
REFUSED = (
    "同意いただけない場合、オンライン相談ブースはご利用いただけません。"
    "窓口やお電話（{phone}）でのご相談は引き続きご利用いただけます。"
)
ALREADY = "現在の利用規約（{version}版）には、{at}に同意いただいています。"
NO_TERMS = (
    "現在、利用規約を準備中のため受付を停止しています。"
    "お電話（{phone}）でお問い合わせください。"
)
HINT = "「同意する」か「同意しない」を選んでください。"
AGREE_WORDS = frozenset({"同意する", "同意します", "同意", "はい"})
REFUSE_WORDS = frozenset({"同意しない", "同意しません", "いいえ"})
