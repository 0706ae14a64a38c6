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
# DESIGN.md §14: the terms bind in Japanese; other languages get these main points as a
# reference translation (参考訳), and the consent records the language shown.
REFERENCE_TITLE = "参考訳（主な内容）"
REFERENCE_NOTE = "この要約は参考のための翻訳です。効力があるのは日本語の利用規約です。"
REFERENCE_SUMMARY = (
    "・ハローワークに登録している方、またはこれから登録する方が利用できます。\n"
    "・利用できるのは平日の9時から17時、1回30分までです。予約は前日までに確定します。\n"
    "・取り消すときは事前に連絡してください。開始から10分たっても連絡がないと、取り消しとして扱います。\n"
    "・録画・録音はできません。ブースにはご本人だけが入ります。通訳者や介助者が同席するときは事前に知らせてください。\n"
    "・個人情報は職業安定法に基づいて適切に管理します。"
)
BINDING = "【正文（日本語）】"
SEE_FULL = "全文をご確認ください。"
MENU = "ご用件を選んでください。"
TERMS = "利用規約"
HINT = "「同意する」か「同意しない」を選んでください。"
AGREE_WORDS = frozenset({"同意する", "同意します", "同意", "はい"})
REFUSE_WORDS = frozenset({"同意しない", "同意しません", "いいえ"})
