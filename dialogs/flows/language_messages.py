"""Wording of the language choice (DESIGN.md §14): the picker and the answer."""

ASK = "ご希望の言語を選んでください。"
CHANGED = "これから{name}でご案内します。"
HOW_TO_CHANGE = "言語はメニューの「言語 / Language」から、いつでも変えられます。"
