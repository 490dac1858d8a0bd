"""Every string the user sees, in Japanese (default) and English.

A plain Python catalogue instead of Qt's .ts/.qm files: those need lrelease at build
time, and a dict is easy to test (tests/ui/test_i18n.py checks that every key has both
languages with the same placeholders, and that every tr("...") key used in ui/ exists).
Core error messages arrive in English; the UI puts a translated headline above them.
"""

from __future__ import annotations

import re

from rlwb.ui.i18n_audit_admin import ROWS as AUDIT_ADMIN_ROWS

LANGUAGES = ("ja", "en")
_language = "ja"


def set_language(lang: str) -> None:
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"Unknown language {lang!r}; use one of {', '.join(LANGUAGES)}.")
    _language = lang


def language() -> str:
    return _language


def tr(key: str, /, **values: object) -> str:
    """The text of ``key`` in the current language, with ``{name}`` placeholders filled."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key  # a missing key shows itself (and fails tests/ui/test_i18n.py)
    text = entry[_language]
    return text.format(**values) if values else text


def tr_value(category: str, value: str) -> str:
    """A stored code (status, severity, outcome, …) in the user's language; unknown codes
    are shown as they are."""
    entry = MESSAGES.get(f"{category}.{value}")
    return value if entry is None else entry[_language]


def value_labels(category: str) -> dict[str, str]:
    """{code: label} of one category, for vectorised replacement in polars."""
    prefix = f"{category}."
    return {k[len(prefix) :]: v[_language] for k, v in MESSAGES.items() if k.startswith(prefix)}


def tr_field(alias: str) -> str:
    """The name of a column (canonical alias, or a file's own ``extra:`` column)."""
    entry = MESSAGES.get(f"field.{alias}")
    if entry is not None:
        return entry[_language]
    return alias.removeprefix("extra:")


def field_labels() -> dict[str, str]:
    return value_labels("field")


def tr_kind(kind: str) -> str:
    return tr_value("kind", kind)


_RULE_STEP = re.compile(r"^Rule (R\d+)$")
_MIGRATED_STEP = re.compile(r"^dataset (\S+) migrated$")


def tr_step(step: str) -> str:
    """A progress step of the core ("decode", "Rule R04", …) in the user's language."""
    entry = MESSAGES.get(f"step.{step}")
    if entry is not None:
        return entry[_language]
    match = _RULE_STEP.match(step)
    if match:
        return tr("step.rule", code=match.group(1))
    match = _MIGRATED_STEP.match(step)
    if match:
        return tr("step.dataset_migrated", id=match.group(1))
    return step


def _catalogue(rows: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {key: {"ja": ja, "en": en} for key, (ja, en) in rows.items()}


MESSAGES: dict[str, dict[str, str]] = _catalogue(
    {
        # -- application, window, status bar ------------------------------------------------
        "app.title": ("記録照合ワークベンチ", "Records Linkage Workbench"),
        "window.title": (
            "記録照合ワークベンチ — {workspace}",
            "Records Linkage Workbench — {workspace}",
        ),
        "window.no_pages": (
            "この役割で使える画面はありません。管理者に確認してください。",
            "Your role has no pages here. Ask an administrator.",
        ),
        "status.user": ("利用者: {user}（{roles}）", "User: {user} ({roles})"),
        "status.workspace": ("作業領域: {name}", "Workspace: {name}"),
        "status.log": (
            "アクセスログ: {count} 件・最終チェックポイント {seq}（検証は監査担当）",
            "Access log: {count} events, last checkpoint {seq} (verified by the auditor)",
        ),
        "status.log_unreadable": (
            "アクセスログを読めません",
            "The access log cannot be read",
        ),
        "page.import": ("取込", "Import"),
        "page.reconcile": ("突合", "Reconciliation"),
        "page.review": ("確認待ち", "Review queue"),
        "page.export": ("書き出し", "Export"),
        "page.audit": ("アクセスログ", "Access log"),
        "page.admin": ("利用者", "Users"),
        "role.clerk": ("事務取扱担当者", "clerk"),
        "role.auditor": ("監査担当", "auditor"),
        "role.admin": ("管理者", "administrator"),
        # -- common actions and values ----------------------------------------------------------
        "action.ok": ("OK", "OK"),
        "action.cancel": ("キャンセル", "Cancel"),
        "action.close": ("閉じる", "Close"),
        "action.quit": ("終了", "Quit"),
        "action.logout": ("ログアウト", "Log out"),
        "menu.help": ("ヘルプ", "Help"),
        "action.about": ("このアプリについて", "About"),
        "about.title": ("Records Linkage Workbench について", "About Records Linkage Workbench"),
        "about.text": (
            "Records Linkage Workbench バージョン {version}\n\n"
            "サポート用ログファイル（予期しないエラーの詳細。個人番号・氏名・住所は含みません）:\n{log}",
            "Records Linkage Workbench version {version}\n\n"
            "Support log (details of unexpected errors; no 個人番号, names or addresses):\n{log}",
        ),
        "value.unknown": ("—", "—"),
        "list.separator": ("、", ", "),
        "value.none": ("なし", "none"),
        "value.yes": ("はい", "yes"),
        "value.no": ("いいえ", "no"),
        "kind.tax": ("税（給与支払報告書）", "Tax (payment report)"),
        "kind.si": ("社会保険（被保険者・被扶養者）", "Social insurance (insured and dependants)"),
        "encoding.utf-8": ("UTF-8", "UTF-8"),
        "encoding.utf-8-sig": ("UTF-8（BOM付き）", "UTF-8 with BOM"),
        "encoding.cp932": ("CP932（Shift_JIS）", "CP932 (Shift_JIS)"),
        "encoding.xlsx": ("Excel（XLSX）", "Excel (XLSX)"),
        "sex.M": ("男", "male"),
        "sex.F": ("女", "female"),
        "coverage_type.insured": ("被保険者", "insured"),
        "coverage_type.dependent": ("被扶養者", "dependant"),
        # -- errors and background work ---------------------------------------------------------
        "error.purpose_required": (
            "利用目的が宣言されていないため表示できません。",
            "Declare the purpose of use first.",
        ),
        "error.audit_write": (
            "アクセスログに書き込めないため、操作を中止しました。データは表示されていません。",
            "The access log could not be written, so nothing was done and no data is shown.",
        ),
        "error.audit": ("アクセスログの問題です。", "There is a problem with the access log."),
        "error.locked": ("セッションはロックされています。", "The session is locked."),
        "error.denied": (
            "この操作の権限がありません（記録されました）。",
            "You are not allowed to do this (the attempt was logged).",
        ),
        "error.auth": ("認証できませんでした。", "Authentication failed."),
        "error.not_found": ("見つかりません。", "Not found."),
        "error.invalid": ("入力を確認してください。", "Please check the input."),
        "error.workspace": ("作業領域の問題です。", "There is a problem with the workspace."),
        "error.generic": ("操作できませんでした。", "The action could not be completed."),
        "error.unexpected": (
            "予期しないエラーで操作を完了できませんでした。もう一度試し、続く場合は管理者に連絡し、"
            "次のログファイルを渡してください（個人番号は含まれません）: {log}",
            "An unexpected error stopped the action. Try again; if it happens again, tell the "
            "administrator and give them this log file (it holds no 個人番号): {log}",
        ),
        "task.busy": (
            "別の処理が実行中です。終わるまでお待ちください。",
            "Another task is still running; wait until it has finished.",
        ),
        "task.cancelled": (
            "処理を取り消しました。何も変更されていません。",
            "The task was cancelled; nothing was changed.",
        ),
        "task.cancelling": ("取り消し中…", "Cancelling…"),
        "task.starting": ("開始しています…", "Starting…"),
        "step.decode": ("文字コードの判定", "Detecting the encoding"),
        "step.parse": ("読み取り", "Reading"),
        "step.validate": ("検査", "Checking values"),
        "step.tokenise": ("個人番号のトークン化", "Tokenising 個人番号"),
        "step.encrypt and store": ("暗号化して保存", "Encrypting and storing"),
        "step.read datasets": ("データセットの読み込み", "Reading the datasets"),
        "step.store run": ("結果の保存", "Storing the run"),
        "step.findings": ("指摘事項の読み込み", "Loading the findings"),
        "step.export": ("書き出し", "Exporting"),
        "step.done": ("完了", "Done"),
        "step.Rules done": ("ルール判定完了", "Rules done"),
        "step.Reconciliation done": ("突合完了", "Reconciliation done"),
        "step.rule": ("ルール {code} の判定", "Rule {code}"),
        # -- login, password, lock ---------------------------------------------------------------
        "login.title": ("ログイン", "Log in"),
        "login.workspace": ("作業領域: {name}", "Workspace: {name}"),
        "login.user": ("利用者名", "User name"),
        "login.password": ("パスワード", "Password"),
        "login.submit": ("ログイン", "Log in"),
        "login.fill_in": (
            "利用者名とパスワードを入力してください。",
            "Enter your user name and password.",
        ),
        "login.wrong": (
            "利用者名またはパスワードが違います。",
            "Wrong user name or password.",
        ),
        "login.disabled": (
            "このアカウントは無効です。管理者に連絡してください。",
            "This account is disabled. Ask an administrator.",
        ),
        "login.locked_until": (
            "ログインの失敗が続いたため、このアカウントは {until} までロックされています。管理者に解除を依頼することもできます。",
            "Too many failed logins: this account is locked until {until}, or until an administrator unlocks it.",
        ),
        "login.record_tampered": (
            "このアカウントの記録がアプリの外で変更されています。管理者がパスワードを再設定するまでログインできません。",
            "This account's record was changed outside the app; an administrator must reset it "
            "(set a new password) before it can log in.",
        ),
        "session.ended.record_tampered": (
            "このアカウントの記録がアプリの外で変更されたため、セッションを終了しました。管理者がパスワードを再設定する必要があります。",
            "This account's record was changed outside the app, so the session ended; an "
            "administrator must reset it (set a new password).",
        ),
        "session.ended.disabled": (
            "ログイン中に管理者がこのアカウントを無効にしたため、セッションを終了しました。管理者に連絡してください。",
            "An administrator disabled your account while you were logged in, so the session ended. Ask an administrator.",
        ),
        "session.ended.locked": (
            "ログインの失敗が続いてアカウントがロックされたため、セッションを終了しました。ロックが解けてから再度ログインするか、管理者に解除を依頼してください。",
            "Your account was locked after too many failed logins, so the session ended. Log in again once the lock has passed, or ask an administrator to unlock it.",
        ),
        "session.ended.roles_changed": (
            "ログイン中に管理者が役割を変更したため、セッションを終了しました。現在の役割で作業するには再度ログインしてください。",
            "An administrator changed your roles while you were logged in, so the session ended. Log in again to work with your current roles.",
        ),
        "session.ended.no_such_user": (
            "このアカウントはもう存在しないため、セッションを終了しました。",
            "Your account no longer exists, so the session ended.",
        ),
        "password.title": ("パスワードの変更", "Change password"),
        "password.must_change": (
            "仮のパスワードでログインしました。続ける前に自分のパスワードを設定してください。",
            "You logged in with a temporary password. Set your own password to continue.",
        ),
        "password.old": ("現在のパスワード", "Current password"),
        "password.new": ("新しいパスワード", "New password"),
        "password.repeat": ("新しいパスワード（確認）", "New password (again)"),
        "password.submit": ("変更する", "Change"),
        "password.mismatch": (
            "新しいパスワードが一致しません。",
            "The new passwords do not match.",
        ),
        "lock.title": ("画面をロックしました", "The window is locked"),
        "lock.text": (
            "一定時間操作がなかったため、データを隠しました。{user} のパスワードを入力すると再開します。",
            "The window was idle, so its data is hidden. Enter the password of {user} to continue.",
        ),
        "lock.unlock": ("ロック解除", "Unlock"),
        # -- reveal and purpose --------------------------------------------------------------------
        "purpose.title": ("利用目的の宣言", "Purpose of use"),
        "purpose.text": (
            "個人情報を表示する前に、この作業の利用目的を選ぶか入力してください。目的はアクセスログに記録されます。",
            "Before personal data is shown, choose or type the purpose of this work. It is written to the access log.",
        ),
        "purpose.other": ("その他（下に入力）", "Other (type below)"),
        "purpose.free_text": ("利用目的を入力", "Type the purpose"),
        "reveal.title": ("本人情報の表示（記録あり）", "Personal data (logged)"),
        "reveal.logged": (
            "この表示はアクセスログに記録されました（利用目的: {purpose}）。",
            "This disclosure was written to the access log (purpose: {purpose}).",
        ),
        "pair.field": ("項目", "Field"),
        "pair.tax": ("税", "Tax"),
        "pair.si": ("社会保険", "Social insurance"),
        "pair.no_record": ("（該当なし）", "(no record)"),
        # -- fields --------------------------------------------------------------------------------
        "field.record_id": ("整理番号", "Record no."),
        "field.my_number": ("個人番号", "My Number"),
        "field.basic_pension_number": ("基礎年金番号", "Basic pension no."),
        "field.name": ("氏名", "Name"),
        "field.name_kana": ("フリガナ", "Name (kana)"),
        "field.birth_date": ("生年月日", "Birth date"),
        "field.sex": ("性別", "Sex"),
        "field.postal_code": ("郵便番号", "Postal code"),
        "field.address": ("住所", "Address"),
        "field.payment_amount": ("支払金額", "Payment amount"),
        "field.withholding_tax": ("源泉徴収税額", "Withholding tax"),
        "field.payer_corporate_number": ("支払者法人番号", "Payer corporate no."),
        "field.payer_name": ("支払者名称", "Payer"),
        "field.tax_year": ("年分", "Tax year"),
        "field.coverage_type": ("資格区分", "Coverage"),
        "field.relationship": ("続柄", "Relationship"),
        "field.insured_record_id": ("被保険者整理番号", "Insured person's record no."),
        "field.standard_monthly_remuneration": ("標準報酬月額", "Standard monthly remuneration"),
        "field.coverage_start": ("資格取得年月日", "Coverage start"),
        "field.coverage_end": ("資格喪失年月日", "Coverage end"),
        "field.employer_corporate_number": ("事業所法人番号", "Employer corporate no."),
        "field.employer_name": ("事業所名称", "Employer"),
        "field.id_problem": ("個人番号の問題", "個人番号 problem"),
        "field.row_number": ("行", "Row"),
        # -- import ---------------------------------------------------------------------------------
        "import.title": ("データの取込", "Import an extract"),
        "import.file": ("ファイル", "File"),
        "import.no_file": ("（未選択）", "(none chosen)"),
        "import.choose": ("ファイルを選択…", "Choose file…"),
        "import.choose_title": ("取り込むファイル", "File to import"),
        "import.file_filter": (
            "抽出ファイル (*.csv *.xlsx);;すべてのファイル (*)",
            "Extracts (*.csv *.xlsx);;All files (*)",
        ),
        "import.drop_hint": (
            "ファイルをこの画面にドラッグ＆ドロップすることもできます。",
            "You can also drop a file onto this page.",
        ),
        "import.kind": ("種類", "Kind"),
        "import.profile": ("取込プロファイル", "Import profile"),
        "import.profile_auto": ("（自動判定）", "(detect automatically)"),
        "import.mapping": ("列の対応付け", "Column mapping"),
        "import.file_column": ("ファイルの列", "File column"),
        "import.maps_to": ("取り込む項目", "Imported as"),
        "import.keep_extra": ("（そのまま追加列として保持）", "(keep as an extra column)"),
        "import.preview": (
            "先頭行のプレビュー（個人番号は伏せ字）",
            "First rows (個人番号 masked)",
        ),
        "import.encoding": ("文字コード: {encoding}", "Encoding: {encoding}"),
        "import.rows_in_file": ("データ行数: {rows}", "Data rows: {rows}"),
        "import.missing": (
            "必須の列がありません: {columns}。列の対応付けで指定してください。",
            "Required columns are missing: {columns}. Map them in the column mapping.",
        ),
        "import.duplicate": (
            "「{column}」に複数の列が対応付けられています（{headers}）。一つにしてください。",
            "Several columns map to “{column}” ({headers}); keep one.",
        ),
        "import.profile_name": ("プロファイル名", "Profile name"),
        "import.save_profile": ("プロファイルとして保存", "Save as profile"),
        "import.profile_name_needed": (
            "保存するプロファイルの名前を入力してください。",
            "Type a name for the profile.",
        ),
        "import.profile_saved": (
            "プロファイル「{name}」を保存しました。",
            "Profile “{name}” saved.",
        ),
        "import.run": ("取り込む", "Import"),
        "import.cancelled": (
            "取込を取り消しました。何も保存されていません。",
            "The import was cancelled; nothing was stored.",
        ),
        "import.done": ("データセット {id} として取り込みました。", "Imported as dataset {id}."),
        "import.report": ("取込結果", "Import report"),
        "import.report.rows": (
            "{source} 行中 {rows} 行を取り込みました（データセット {id}）。",
            "Imported {rows} of {source} rows (dataset {id}).",
        ),
        "import.report.details": (
            "種類: {kind}・文字コード: {encoding}・鍵バージョン: {version}",
            "Kind: {kind} · encoding: {encoding} · key version: {version}",
        ),
        "import.report.quarantined": (
            "隔離した行（識別できない行）: {count}",
            "Quarantined rows (cannot be identified): {count}",
        ),
        "import.report.invalid_ids": (
            "トークン化できなかった個人番号: {detail}",
            "個人番号 without a token: {detail}",
        ),
        "import.report.technical": ("詳細（記録用・英語）", "Details (as logged)"),
        "import.report.issues": ("データ品質の問題: {count} 件", "Data-quality issues: {count}"),
        "import.report.number_screen": (
            "個人番号の列以外で見つかった個人番号: {count} 列",
            "個人番号 found outside the 個人番号 column: {count} columns",
        ),
        "import.screen.dropped_by_header": (
            "列ごと削除（見出しが個人番号）",
            "column dropped (its header names a 個人番号)",
        ),
        "import.screen.dropped_by_content": (
            "列ごと削除（値が個人番号）",
            "column dropped (its cells are 個人番号)",
        ),
        "import.screen.masked": (
            "{count} 件のセルの個人番号を伏字にしました",
            "{count} cells held a 個人番号: masked",
        ),
        "import.screen.made_unknown": (
            "{count} 件の値が個人番号のため不明にしました",
            "{count} values were a 個人番号: made unknown",
        ),
        "import.screen.header_masked": (
            "見出しの個人番号を伏字にしました",
            "the header held a 個人番号: masked",
        ),
        "import.show_quarantine": (
            "隔離した行を表示（{count}）",
            "Show quarantined rows ({count})",
        ),
        "import.show_issues": (
            "データ品質の問題を表示（{count}）",
            "Show data-quality issues ({count})",
        ),
        "issues.quarantine_title": ("隔離した行", "Quarantined rows"),
        "issues.issues_title": ("データ品質の問題", "Data-quality issues"),
        "issues.count": ("{count} 件", "{count} rows"),
        "issues.row": ("行", "Row"),
        "issues.column": ("項目", "Column"),
        "issues.reason": ("理由", "Reason"),
        "id_problem.missing": ("空欄", "missing"),
        "id_problem.malformed": ("形式誤り", "malformed"),
        "id_problem.check_digit": ("検査用数字の誤り", "wrong check digit"),
        "id_problem.exponent_form": (
            "指数表記（表計算ソフトで桁が失われた）",
            "exponent form (a spreadsheet lost digits)",
        ),
        "reason.record_id_missing": ("整理番号がない", "no record number"),
        "reason.name_missing": ("氏名がない", "no name"),
        "reason.row_empty": ("空の行", "empty row"),
        "reason.value_missing": ("必須の値が空欄", "required value missing"),
        "reason.date_does_not_exist": ("存在しない日付", "date does not exist"),
        "reason.date_unreadable": ("日付を読めない", "date unreadable"),
        "reason.date_outside_era": ("元号の範囲外の日付", "date outside its era"),
        "reason.amount_unreadable": ("金額を読めない", "amount unreadable"),
        "reason.sex_unreadable": ("性別を読めない", "sex unreadable"),
        "reason.postal_code_malformed": ("郵便番号の形式誤り", "postal code malformed"),
        "reason.tax_year_unreadable": ("年分を読めない", "tax year unreadable"),
        "reason.tax_year_outside_era": ("年分が元号の範囲外", "tax year outside its era"),
        "reason.coverage_type_unknown": ("資格区分が不明", "unknown coverage type"),
        "reason.pension_number_malformed": ("基礎年金番号の形式誤り", "pension number malformed"),
        "reason.corporate_number_malformed": ("法人番号の形式誤り", "corporate number malformed"),
        "reason.insured_record_not_found": (
            "被保険者整理番号に該当する行がない",
            "insured person's record not in the file",
        ),
        "reason.coverage_end_before_start": (
            "資格喪失日が取得日より前",
            "coverage ends before it starts",
        ),
        "reason.identifier_malformed": ("個人番号の形式誤り", "個人番号 malformed"),
        "reason.identifier_check_digit": (
            "個人番号の検査用数字の誤り",
            "個人番号 check digit wrong",
        ),
        "reason.identifier_exponent_form": (
            "個人番号が指数表記（8.51791E+10 など）で桁が失われています。列を文字列として書き出して再取込してください",
            "個人番号 in exponent form (e.g. 8.51791E+10), digits lost: export the column as text and import again",
        ),
        "reason.identifier_leading_zeros_restored": (
            "個人番号の先頭の0を補いました（検査用数字で確認）",
            "個人番号 leading zeros restored (confirmed by the check digit)",
        ),
        "reason.postal_code_zeros_restored": (
            "郵便番号の先頭の0を補いました（住所で確認）",
            "postal code leading zero restored (confirmed by the address)",
        ),
        "reason.postal_code_unknown": ("存在しない郵便番号", "postal code does not exist"),
        "reason.postal_code_address_mismatch": (
            "郵便番号と住所の都道府県・市区町村が一致しない",
            "postal code does not match the address's prefecture or municipality",
        ),
        "reason.corporate_number_check_digit": (
            "法人番号の検査用数字の誤り",
            "corporate number check digit wrong",
        ),
        # -- reconciliation ---------------------------------------------------------------------------
        "reconcile.title": ("突合", "Reconciliation"),
        "reconcile.tax": ("税データセット", "Tax dataset"),
        "reconcile.si": ("社会保険データセット", "Social-insurance dataset"),
        "reconcile.run": ("突合を実行", "Reconcile"),
        "reconcile.need_both": (
            "税と社会保険のデータセットを一つずつ取り込んでから実行してください。",
            "Import one tax and one social-insurance dataset first.",
        ),
        "reconcile.cancelled": (
            "突合を取り消しました。結果は保存されていません。",
            "Reconciliation cancelled; no run was stored.",
        ),
        "reconcile.done": ("突合が完了しました（{id}）。", "Reconciliation finished ({id})."),
        "reconcile.show_run": ("突合結果", "Run"),
        "reconcile.dashboard": ("集計", "Dashboard"),
        "reconcile.findings": ("指摘事項", "Findings"),
        "dataset.label": (
            "{id}・{file}・{rows} 件・鍵 v{version}",
            "{id} · {file} · {rows} rows · key v{version}",
        ),
        "run.label": ("{when}　{id}（{tax} × {si}）", "{when}  {id} ({tax} × {si})"),
        "run.retired": ("【廃止】{label}", "[retired] {label}"),
        "dashboard.no_run": (
            "突合結果はまだありません。データセットを選んで実行してください。",
            "No run yet: choose the datasets and reconcile.",
        ),
        "dashboard.heading": (
            "{id}：{when} に {who} が実行・鍵 v{version}・ルール {rules}",
            "{id}: run by {who} at {when} · key v{version} · rules {rules}",
        ),
        "dashboard.by_outcome": ("照合結果別の件数", "Records by outcome"),
        "dashboard.by_rule": ("ルール別の指摘件数", "Findings by rule"),
        "outcome.token": ("番号で一致", "token match"),
        "outcome.probabilistic": ("確率的に一致", "probabilistic"),
        "outcome.review": ("確認待ち", "awaiting review"),
        "outcome.reviewed_match": ("確認済み・一致", "reviewed: match"),
        "outcome.reviewed_non_match": ("確認済み・不一致", "reviewed: non-match"),
        "outcome.tax_only": ("税のみ", "tax only"),
        "outcome.si_only": ("社会保険のみ", "social insurance only"),
        "rule.R01": ("被扶養者の収入超過", "dependant over limit"),
        "rule.R02": ("被扶養者の収入が半分以上", "dependant over half"),
        "rule.R03": ("標準報酬月額の乖離", "remuneration mismatch"),
        "rule.R04": ("本人確認の不一致", "identity conflict"),
        "rule.R05": ("個人番号の重複", "duplicate identifier"),
        "rule.R06": ("個人番号の不備", "invalid identifier"),
        "rule.R07": ("未加入の可能性", "possibly unenrolled"),
        "rule.R08": ("事業所の未適用", "employer not enrolled"),
        "rule.R09": ("税の記録なし", "SI without tax"),
        "severity.high": ("高", "high"),
        "severity.review": ("要確認", "review"),
        "severity.info": ("参考", "info"),
        "status.open": ("未対応", "open"),
        "status.confirmed": ("確認済み", "confirmed"),
        "status.dismissed": ("対象外", "dismissed"),
        "status.resolved": ("解決済み", "resolved"),
        "filter.rule": ("ルール", "Rule"),
        "filter.severity": ("重要度", "Severity"),
        "filter.status": ("状態", "Status"),
        "filter.all_rules": ("すべて", "all"),
        "filter.all_severities": ("すべて", "all"),
        "filter.all_statuses": ("すべて", "all"),
        "filter.text": ("検索（整理番号・氏名・内容）", "Search (record no., name, detail)"),
        "findings.arranging": ("並べ替え中…", "Sorting…"),
        "findings.count": ("{shown} / {total} 件", "{shown} of {total}"),
        "findings.code": ("ルール", "Rule"),
        "findings.severity": ("重要度", "Severity"),
        "findings.status": ("状態", "Status"),
        "findings.tax_record": ("税 整理番号", "Tax record"),
        "findings.tax_name": ("税 氏名", "Tax name"),
        "findings.tax_birth_year": ("税 生年", "Tax birth year"),
        "findings.si_record": ("社保 整理番号", "SI record"),
        "findings.si_name": ("社保 氏名", "SI name"),
        "findings.si_birth_year": ("社保 生年", "SI birth year"),
        "findings.detail": ("内容", "Detail"),
        "findings.reveal": ("本人情報を表示…", "Show personal data…"),
        "findings.change_status": ("状態を変更…", "Change status…"),
        "findings.history": ("履歴…", "History…"),
        "findings.select_first": ("先に指摘事項を選んでください。", "Select a finding first."),
        "findings.status_title": ("指摘事項の状態", "Finding status"),
        "findings.status_now": ("現在の状態: {status}", "Current status: {status}"),
        "findings.new_status": ("新しい状態", "New status"),
        "findings.note": ("メモ", "Note"),
        "findings.note_hint": (
            "理由（「対象外」にするときは必須）",
            "Why (required when dismissing)",
        ),
        "findings.status_changed": ("状態を「{status}」にしました。", "Status set to “{status}”."),
        "findings.history_title": ("指摘事項の履歴", "Finding history"),
        "history.when": ("日時（UTC）", "When (UTC)"),
        "history.who": ("担当者", "Who"),
        "history.status": ("状態", "Status"),
        "history.note": ("メモ", "Note"),
        "history.none": ("まだ変更はありません。", "No changes yet."),
        # -- review ---------------------------------------------------------------------------------------
        "review.title": ("確認待ちの組", "Review queue"),
        "review.previous": ("◀ 前へ", "◀ Previous"),
        "review.next": ("次へ ▶", "Next ▶"),
        "review.empty": ("確認待ちの組はありません。", "No pairs are waiting for review."),
        "review.score": (
            "一致の重み {weight}・確率 {probability}",
            "Match weight {weight} · probability {probability}",
        ),
        "review.token_match": ("・番号トークン一致: {same}", " · same number token: {same}"),
        "review.current": ("現在の判定: {decision}", "Current decision: {decision}"),
        "review.undecided": ("未判定", "none yet"),
        "review.legend": (
            "緑: 一致　赤: 不一致　灰: 不明（どちらかが空欄）",
            "Green: agrees · red: disagrees · grey: unknown (one side blank)",
        ),
        "review.note": ("メモ（任意）", "Note (optional)"),
        "review.decide": ("{decision} ({key})", "{decision} ({key})"),
        "review.undo": ("元に戻す (Ctrl+Z)", "Undo (Ctrl+Z)"),
        "review.undone": ("直前の判定を取り消しました。", "Your last decision was undone."),
        "review.all_done": ("最後の組まで判定しました。", "You reached the end of the queue."),
        "review.purpose_needed": (
            "利用目的を宣言しないと組を表示できません。",
            "Pairs are shown only after you declare the purpose of use.",
        ),
        "decision.match": ("一致", "Match"),
        "decision.non_match": ("不一致", "Non-match"),
        "decision.unsure": ("保留", "Unsure"),
        "decision.withdrawn": ("取消", "withdrawn"),
        # -- export -----------------------------------------------------------------------------------------
        "export.title": ("書き出し", "Export"),
        "export.intro": (
            "突合結果を CSV または Excel に書き出します。個人番号は含まれません。書き出しはアクセスログに記録されます。",
            "Write a run to CSV or Excel. No 個人番号 is included. Every export is written to the access log.",
        ),
        "export.what": ("内容", "What"),
        "export.what.findings": ("指摘事項", "Findings"),
        "export.what.links": ("照合結果（組）", "Links"),
        "export.what.summary": ("集計", "Summary"),
        "export.run": ("書き出す…", "Export…"),
        "export.save_title": ("書き出し先", "Export to"),
        "export.filter_csv": ("CSV (*.csv)", "CSV (*.csv)"),
        "export.filter_xlsx": ("Excel (*.xlsx)", "Excel (*.xlsx)"),
        "export.no_run": ("先に突合結果を選んでください。", "Choose a run first."),
        "save.replace_title": ("ファイルの置き換え", "Replace the file?"),
        "save.replace": (
            "{folder} に {name} が既にあります。置き換えますか？「いいえ」を選ぶと何も書き出しません。",
            "{name} already exists in {folder}. Replace it? Choose No to write nothing.",
        ),
        "export.done": (
            "{rows} 行（{persons} 人分）を書き出しました: {path}",
            "Wrote {rows} rows ({persons} persons) to {path}",
        ),
    }
)
MESSAGES.update(_catalogue(AUDIT_ADMIN_ROWS))
