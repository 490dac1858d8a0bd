"""The strings of the auditor's and the administrator's pages (Japanese, English).

Kept apart from ui/i18n.py only to keep both files readable; ui/i18n.py merges them into
its one catalogue, and tests/ui/test_i18n.py checks them like every other key.
"""

from __future__ import annotations

ROWS: dict[str, tuple[str, str]] = {
    # -- navigation ------------------------------------------------------------------------------
    "page.audit_person": ("本人のアクセス履歴", "Access history of a person"),
    "page.audit_report": ("ログ分析レポート", "Log analysis report"),
    "page.admin_keys": ("鍵の管理", "Keys"),
    "page.admin_settings": ("設定", "Settings"),
    # -- events as the auditor reads them --------------------------------------------------------
    "event.login.ok": ("ログイン", "login"),
    "event.login.failed": ("ログイン失敗", "login failed"),
    "event.login.locked_out": ("ロックアウト", "locked out"),
    "event.logout": ("ログアウト", "logout"),
    "event.session.idle_lock": ("無操作ロック", "idle lock"),
    "event.session.unlock": ("ロック解除", "unlock"),
    "event.session.purpose": ("利用目的の宣言", "purpose of use"),
    "event.import.preview": ("取込前のプレビュー", "import preview"),
    "event.import.started": ("取込開始", "import started"),
    "event.import.finished": ("取込完了", "import finished"),
    "event.import.failed": ("取込失敗", "import failed"),
    "event.reconcile.run": ("突合の実行", "reconciliation run"),
    "event.reveal": ("本人情報の表示", "reveal"),
    "event.search": ("検索", "search"),
    "event.review.decision": ("確認の判定", "review decision"),
    "event.finding.status": ("指摘事項の状態変更", "finding status"),
    "event.export": ("結果の書き出し", "export"),
    "event.keys.rotation_started": ("鍵の更新開始", "key rotation started"),
    "event.keys.dataset_migrated": ("データセットの鍵移行", "dataset migrated"),
    "event.keys.rotation_finished": ("鍵の更新終了", "key rotation finished"),
    "event.keys.backup": ("鍵のバックアップ", "key backup"),
    "event.keys.restore": ("鍵の復元", "key restore"),
    "event.keys.compromise_started": (
        "漏えい対応: 新しい鍵系列の開始",
        "compromise response: new key chain",
    ),
    "event.keys.old_chain_destroyed": (
        "漏えい対応: 旧い鍵の破棄",
        "compromise response: old keys destroyed",
    ),
    "event.user.created": ("利用者の作成", "user created"),
    "event.user.roles_changed": ("役割の変更", "roles changed"),
    "event.user.disabled": ("利用者の無効化", "user disabled"),
    "event.user.enabled": ("利用者の有効化", "user enabled"),
    "event.user.unlocked": ("利用者のロック解除", "user unlocked"),
    "event.user.password_reset": ("パスワードの再設定", "password reset"),
    "event.user.password_changed": ("パスワードの変更", "password changed"),
    "event.log.verified": ("ログの検証", "log verified"),
    "event.log.exported": ("ログ・レポートの書き出し", "log exported"),
    "event.log.report": ("ログの分析", "log analysed"),
    "event.access.denied": ("アクセス拒否", "access denied"),
    "event.audit.person_history": ("本人のアクセス履歴の検索", "person history searched"),
    "event.audit.query": ("ログの検索", "log queried"),
    "event.workspace.created": ("作業領域の作成", "workspace created"),
    "event.workspace.opened": ("作業領域を開く", "workspace opened"),
    "event.settings.changed": ("設定の変更", "settings changed"),
    "event.workspace.numbers_scanned": ("個人番号の残存検査", "workspace scanned for 個人番号"),
    "event_outcome.ok": ("成功", "ok"),
    "event_outcome.denied": ("拒否", "denied"),
    "event_outcome.failed": ("失敗", "failed"),
    # -- the access log page ---------------------------------------------------------------------
    "log.title": ("アクセスログ", "Access log"),
    "log.col.seq": ("番号", "Seq."),
    "log.col.time": ("日時", "Time"),
    "log.col.type": ("種類", "Event"),
    "log.col.outcome": ("結果", "Outcome"),
    "log.col.user": ("利用者", "User"),
    "log.col.roles": ("役割", "Roles"),
    "log.col.subject": ("対象", "Subject"),
    "log.col.purpose": ("利用目的", "Purpose"),
    "log.col.details": ("詳細", "Details"),
    "log.subject.dataset": ("データセット {id}", "dataset {id}"),
    "log.subject.run": ("突合 {id}", "run {id}"),
    "log.subject.user": ("利用者 {name}", "user {name}"),
    "log.subject.persons": ("本人 {count} 名", "{count} persons"),
    "log.detail.none": (
        "イベントを選ぶと、ここにすべての項目を表示します。",
        "Select an event to see every field here.",
    ),
    "log.detail.time_utc": ("日時（UTC）", "Time (UTC)"),
    "log.detail.host": ("端末", "Host"),
    "log.detail.os_user": ("OSユーザー", "OS user"),
    "log.detail.app_version": ("アプリの版", "App version"),
    "log.detail.workspace": ("作業領域ID", "Workspace id"),
    "log.detail.dataset": ("データセット", "Dataset"),
    "log.detail.run": ("突合結果", "Run"),
    "log.detail.subject_user": ("対象の利用者", "Subject user"),
    "log.detail.persons": (
        "本人（トークン先頭・鍵版）{count} 名",
        "Persons (token prefix, key version): {count}",
    ),
    "log.detail.prev_hash": ("直前のハッシュ", "Previous hash"),
    "log.detail.hash": ("ハッシュ", "Hash"),
    "log.detail.details": ("詳細（JSON）", "Details (JSON)"),
    "log.filter.user": ("利用者", "User"),
    "log.filter.user_hint": ("利用者名（カンマ区切りで複数）", "user name(s), comma-separated"),
    "log.filter.type": ("種類", "Event"),
    "log.filter.outcome": ("結果", "Outcome"),
    "log.filter.all": ("すべて", "all"),
    "log.filter.since": ("開始日", "From"),
    "log.filter.until": ("終了日", "To"),
    "log.filter.subject": ("対象", "Subject"),
    "log.filter.subject.dataset": ("データセットID", "dataset id"),
    "log.filter.subject.run": ("突合結果ID", "run id"),
    "log.filter.subject.user": ("対象の利用者", "subject user"),
    "log.filter.subject_hint": ("IDまたは利用者名", "id or user name"),
    "log.filter.text": ("全文検索", "Text"),
    "log.filter.text_hint": (
        "利用目的・詳細・ファイル名などの文字列",
        "text in purpose, details, file names …",
    ),
    "log.filter.apply": ("絞り込む", "Filter"),
    "log.filter.clear": ("条件を消去", "Clear"),
    "log.loading": ("読み込み中…", "Loading…"),
    "log.count": ("{count} 件", "{count} events"),
    "log.new_events": (
        "（その後に記録されたイベントがあります。「更新」で表示）",
        " (newer events were logged since: press Refresh)",
    ),
    "log.refresh": ("更新", "Refresh"),
    "log.export": ("この条件で書き出し（署名付き）…", "Export these events (signed)…"),
    "log.export_title": ("アクセスログの書き出し先", "Export the access log to"),
    "log.csv_filter": ("CSV (*.csv)", "CSV (*.csv)"),
    "log.exported": (
        "{rows} 件を書き出しました: {path}（署名ファイル {sig}）。二つのファイルを一緒に保管してください。",
        "Wrote {rows} events to {path} (signature file {sig}). Keep the two files together.",
    ),
    "log.check": ("書き出しを検査…", "Check an export…"),
    "log.check_title": ("検査する書き出しファイル", "Export to check"),
    "log.check_ok": (
        "{name} は改ざんされていません（この作業領域の署名を確認しました）。",
        "{name} is unchanged (signed by this workspace).",
    ),
    "log.check_bad": ("{name} は信頼できません。", "{name} cannot be trusted."),
    # -- verification ----------------------------------------------------------------------------
    "verify.run": ("ログを検証", "Verify the log"),
    "verify.not_yet": (
        "この画面ではまだ検証していません。「ログを検証」でハッシュ連鎖と署名付きチェックポイントを確認します。",
        "Not verified on this screen yet. “Verify the log” checks the hash chain and the signed checkpoints.",
    ),
    "verify.intact": (
        "✔ 改ざんなし: シーケンス {seq} まで完全です",
        "✔ Intact up to sequence {seq}",
    ),
    "verify.empty": (
        "✔ 改ざんなし: ログにはまだイベントがありません",
        "✔ Intact: the log holds no events yet",
    ),
    "verify.broken": (
        "✖ シーケンス {seq} で破損: {reason}",
        "✖ Broken at sequence {seq}: {reason}",
    ),
    "verify.with_detail": ("{text}（{detail}）", "{text} ({detail})"),
    "verify.facts": (
        "確認した署名付きチェックポイント: {checkpoints} 件・外部の保管先との照合: {external}",
        "Signed checkpoints checked: {checkpoints} · checked against the copy kept outside: {external}",
    ),
    "verify.tampered": (
        "✖ 連鎖はシーケンス {seq} まで完全ですが、アプリの外でログが改ざんされた兆候があります。"
        "絞り込みや書き出しを信頼せず、作業領域をそのままにして管理者に知らせてください",
        "✖ The chain is intact up to sequence {seq}, but the log was tampered with outside the "
        "app. Do not rely on filtered views or exports; keep the workspace as it is and tell "
        "the administrator",
    ),
    "verify.warnings": (
        "⚠ 改ざんの兆候が {count} 件あります（表・列・索引・トリガーの変更、整合性検査の失敗、"
        "外部のチェックポイントが読めない等）。",
        "⚠ {count} signs of tampering (a changed table, column, index or trigger, a failed "
        "integrity check, an unreadable external checkpoint).",
    ),
    "verify.failed": (
        "✖ 検証できませんでした: {message}",
        "✖ The log could not be verified: {message}",
    ),
    "break_reason.content_changed": ("内容が変更されています", "content changed"),
    "break_reason.event_missing": ("イベントが欠落しています", "event missing"),
    "break_reason.order_changed": ("順序が入れ替えられています", "order changed"),
    "break_reason.signature_invalid": ("署名が無効です", "signature invalid"),
    "break_reason.log_shorter_than_checkpoint": (
        "ログが最後のチェックポイントより短くなっています",
        "log shorter than the last checkpoint",
    ),
    "step.Reading the checkpoints": ("チェックポイントの読み込み", "Reading the checkpoints"),
    "step.Checking the hash chain": ("ハッシュ連鎖の確認", "Checking the hash chain"),
    "step.Verification finished": ("検証完了", "Verification finished"),
    # -- person history --------------------------------------------------------------------------
    "person_history.title": ("本人のアクセス履歴", "Access history of a person"),
    "person_history.intro": (
        "個人番号を入力すると、その人に関するすべてのイベント（誰が・いつ・何のために見たか）を表示します。番号はすぐにトークン化され、保存も表示もされません。この検索自体もアクセスログに記録されます。",
        "Enter the person's 個人番号 to see every event about them (who looked, when, and why). "
        "The number is tokenised at once and never stored or shown; the search itself is logged.",
    ),
    "person_history.number": ("個人番号", "個人番号"),
    "person_history.number_hint": ("12桁（入力は伏せ字）", "12 digits (hidden while typed)"),
    "person_history.search": ("履歴を検索", "Search"),
    "person_history.enter_number": ("個人番号を入力してください。", "Enter a 個人番号."),
    "person_history.found": (
        "この人に関するイベント: {count} 件（操作した利用者: {users}）",
        "Events about this person: {count} (by: {users})",
    ),
    "person_history.none_found": (
        "この人に関するイベントはありません。",
        "No event concerns this person.",
    ),
    # -- analysis report -------------------------------------------------------------------------
    "analysis.title": ("ログ分析レポート", "Access-log analysis report"),
    "analysis.from": ("期間", "From"),
    "analysis.to": ("〜", "to"),
    "analysis.run": ("レポートを作成", "Create the report"),
    "analysis.export": ("書き出し…", "Export…"),
    "analysis.export_title": ("分析レポートの書き出し先", "Export the report to"),
    "analysis.settings": (
        "勤務時間 {start}〜{end}（土日は時間外）・集中: {minutes} 分以内に {threshold} 件以上の表示・1日 {persons} 名以上で要注意・時間帯 {tz}",
        "Working hours {start}–{end} (weekends out of hours) · burst: {threshold} reveals within "
        "{minutes} min · heavy day: {persons} persons · time zone {tz}",
    ),
    "analysis.bad_period": (
        "期間の終わりが始まりより前です。日付を入れ替えてください。",
        "The period ends before it starts; swap the dates.",
    ),
    "analysis.cancelled": ("レポートの作成を取り消しました。", "The report was cancelled."),
    "analysis.done": (
        "{since} 〜 {until} の分析が完了しました（この分析も記録されました）。",
        "Analysis of {since} to {until} done (the analysis itself was logged).",
    ),
    "analysis.exported": ("レポートを書き出しました: {path}", "Report written to {path}"),
    "analysis.chart": ("利用者・日ごとの本人情報表示件数", "Reveals per user and day"),
    "analysis.chart_top": (
        "利用者・日ごとの表示件数（上位 {count} / {total}）",
        "Reveals per user and day (top {count} of {total})",
    ),
    "analysis.section_count": ("{name}（{count}）", "{name} ({count})"),
    "analysis.summary.events": ("期間内のイベント", "Events in the period"),
    "analysis.summary.reveals": ("本人情報の表示", "Reveals"),
    "analysis.summary.user_days_over_threshold": ("要注意の利用者・日", "Heavy user-days"),
    "analysis.summary.reveals_per_user_day": ("利用者・日", "User-days"),
    "analysis.summary.out_of_hours": ("時間外のアクセス", "Out-of-hours events"),
    "analysis.summary.bursts": ("集中的な表示", "Bursts"),
    "analysis.summary.reveals_without_work": ("作業のない表示", "Reveals without work"),
    "analysis.summary.denials": ("拒否された操作", "Denied attempts"),
    "analysis.summary.exports": ("書き出し", "Exports"),
    "analysis.section.reveals_per_user_day": ("利用者・日ごと", "Per user and day"),
    "analysis.section.out_of_hours": ("時間外", "Out of hours"),
    "analysis.section.bursts": ("集中", "Bursts"),
    "analysis.section.reveals_without_work": ("作業のない表示", "Reveals without work"),
    "analysis.section.denials": ("拒否", "Denials"),
    "analysis.section.exports": ("書き出し", "Exports"),
    "analysis.explain.reveals_per_user_day": (
        "利用者ごと・日ごとの本人情報の表示回数と、表示した人数です。",
        "How often each user revealed personal data per day, and how many persons.",
    ),
    "analysis.explain.out_of_hours": (
        "勤務時間外または土日に行われた操作です（祝日は考慮しません）。",
        "Events outside working hours or on weekends (public holidays are not known).",
    ),
    "analysis.explain.bursts": (
        "短時間に多数の本人情報を表示した時間帯です。",
        "Stretches in which one user revealed many persons in a short time.",
    ),
    "analysis.explain.reveals_without_work": (
        "同じ日に、その人についての確認の判定や指摘事項の更新がない表示です。",
        "Reveals with no review decision or finding change about the same person that day.",
    ),
    "analysis.explain.denials": (
        "権限がなく拒否された操作と、失敗したログインです。",
        "Attempts refused for lack of permission, and refused logins.",
    ),
    "analysis.explain.exports": (
        "結果とアクセスログの書き出しです。",
        "Exports of results and of the access log.",
    ),
    "analysis.col.user": ("利用者", "User"),
    "analysis.col.day": ("日付", "Day"),
    "analysis.col.reveals": ("表示件数", "Reveals"),
    "analysis.col.persons": ("人数", "Persons"),
    "analysis.col.seq": ("番号", "Seq."),
    "analysis.col.time": ("日時", "Time"),
    "analysis.col.event_type": ("種類", "Event"),
    "analysis.col.outcome": ("結果", "Outcome"),
    "analysis.col.start": ("開始", "Start"),
    "analysis.col.end": ("終了", "End"),
    "analysis.col.run_id": ("突合結果", "Run"),
    "analysis.col.action": ("操作・理由", "Action or reason"),
    "analysis.col.what": ("内容", "What"),
    "analysis.col.rows": ("行数", "Rows"),
    "analysis.col.file": ("ファイル", "File"),
    "step.read the access log": ("アクセスログの読み込み", "Reading the access log"),
    "step.analyse": ("分析", "Analysing"),
    # -- secrets typed twice ---------------------------------------------------------------------
    "strength.label": ("強度", "Strength"),
    "strength.very_weak": ("とても弱い", "very weak"),
    "strength.weak": ("弱い", "weak"),
    "strength.fair": ("普通", "fair"),
    "strength.strong": ("強い", "strong"),
    "strength.very_strong": ("とても強い", "very strong"),
    "secret.too_short": ("{count} 文字以上にしてください。", "Use at least {count} characters."),
    "secret.too_weak": (
        "弱すぎます。長くするか、英大文字・小文字・数字・記号を混ぜてください。",
        "Too weak: make it longer or mix upper and lower case, digits and symbols.",
    ),
    "secret.mismatch": ("2回の入力が一致しません。", "The two entries do not match."),
    # -- users -----------------------------------------------------------------------------------
    "users.title": ("利用者と役割", "Users and roles"),
    "users.col.name": ("利用者名", "User name"),
    "users.col.roles": ("役割", "Roles"),
    "users.col.state": ("状態", "State"),
    "users.col.must_change": ("パスワード変更待ち", "Must change password"),
    "users.col.created": ("作成（作成者）", "Created (by)"),
    "users.col.warning": ("注意", "Warning"),
    "users.created_cell": ("{when}（{who}）", "{when} ({who})"),
    "roles.separator": ("・", " · "),
    "users.state.active": ("有効", "active"),
    "users.state.disabled": ("無効", "disabled"),
    "users.state.locked": ("ロック中", "locked"),
    "users.state.tampered": (
        "アプリ外で変更 (パスワードを再設定)",
        "changed outside the app (reset its password)",
    ),
    "users.warning_cell": ("⚠ 担当者と監査の兼務", "⚠ clerk and auditor"),
    "users.segregation": (
        "⚠ この利用者は事務取扱担当者と監査担当の両方の役割を持ちます。同じ人が自分の個人情報へのアクセスを監査することになります。できる限り別の人に分けてください。",
        "⚠ This user holds both the clerk and the auditor role: the same person would audit their "
        "own access to personal data. Keep the roles with different people where you can.",
    ),
    "users.self_clerk": (
        "⚠ 自分自身に事務取扱担当者の役割を付けました。管理者は個人情報を守る利用者と鍵を管理する立場で、これで個人情報も見られるようになります。できる限り別の人に分けてください。",
        "⚠ You gave yourself the clerk role: as an administrator you also manage the users and "
        "keys that guard personal data, and now you can see that data too. Keep the roles with "
        "different people where you can.",
    ),
    "users.segregation_users": (
        "⚠ 事務取扱担当者と監査担当を兼ねている利用者: {names}。職務の分離のため、できる限り別の人に分けてください。",
        "⚠ Users holding both the clerk and the auditor role: {names}. Separate the duties where "
        "you can.",
    ),
    "users.role_help.clerk": (
        "取込・突合・確認・書き出し（個人情報を扱う）",
        "import, reconcile, review, export (personal data)",
    ),
    "users.role_help.auditor": (
        "アクセスログの閲覧・検証・分析（個人情報は見えない）",
        "read, verify and analyse the access log (no personal data)",
    ),
    "users.role_help.admin": (
        "利用者・鍵・設定の管理（個人情報は見えない）",
        "users, keys and settings (no personal data)",
    ),
    "users.add": ("利用者を追加…", "Add user…"),
    "users.roles": ("役割を変更…", "Change roles…"),
    "users.disable": ("無効にする…", "Disable…"),
    "users.enable": ("有効にする", "Enable"),
    "users.unlock": ("ロックを解除", "Unlock"),
    "users.reset": ("パスワードを再設定…", "Reset password…"),
    "users.add_title": ("利用者の追加", "Add a user"),
    "users.name_hint": ("英数字と . _ -（64文字まで）", "letters, digits, . _ - (up to 64)"),
    "users.first_password": (
        "最初のパスワード（本人は初回ログイン時に変更します）",
        "First password (the user changes it at the first login)",
    ),
    "users.roles_title": ("{name} の役割", "Roles of {name}"),
    "users.reset_title": ("{name} のパスワードの再設定", "Reset the password of {name}"),
    "users.reset_intro": (
        "{name} の仮のパスワードを2回入力してください。本人は次回のログインで変更します。",
        "Type a temporary password for {name} twice; they change it at the next login.",
    ),
    "users.confirm_title": ("確認", "Please confirm"),
    "users.confirm_disable": (
        "{name} を無効にしますか？ この利用者はログインできなくなります（記録は残ります。あとで有効に戻せます）。",
        "Disable {name}? They can no longer log in (their records stay; you can enable them again).",
    ),
    "users.added": ("{name} を追加しました。", "{name} was added."),
    "users.roles_changed": (
        "{name} の役割を {roles} にしました。",
        "{name} now has the roles {roles}.",
    ),
    "users.disabled": ("{name} を無効にしました。", "{name} was disabled."),
    "users.enabled": ("{name} を有効にしました。", "{name} was enabled."),
    "users.unlocked": ("{name} のロックを解除しました。", "{name} was unlocked."),
    "users.password_reset": (
        "{name} のパスワードを再設定しました。次回のログインで変更が求められます。",
        "The password of {name} was reset; they must change it at the next login.",
    ),
    # -- keys ------------------------------------------------------------------------------------
    "keys.title": ("トークン化の鍵", "Tokenisation keys"),
    "keys.chaining_note": (
        "以前の鍵の版はすべて鍵セットに残ります。トークンは版をつないで作られる（T_v = HMAC(K_v, T_v-1)）ため、新しいデータもすべての版を通してトークン化されます。古い鍵を削除すると取込ができなくなります。",
        "Every earlier key version stays in the keyset: tokens are chained (T_v = HMAC(K_v, T_v-1)), "
        "so new data is tokenised through every version. Deleting an old key would break imports.",
    ),
    "keys.col.version": ("版", "Version"),
    "keys.col.state": ("状態", "State"),
    "keys.col.created_at": ("作成日時", "Created"),
    "keys.col.created_by": ("作成者", "Created by"),
    "keys.col.datasets": ("この版のデータセット", "Datasets on it"),
    "key_state.primary": ("主鍵（新しいデータに使用）", "primary (new data)"),
    "key_state.active": ("有効（連鎖に必要）", "active (needed by the chain)"),
    "key_state.retired": (
        "廃止（漏えい対応前の系列。履歴検索のためだけに保持）",
        "retired (chain before the compromise response; kept only to search history)",
    ),
    "keys.rotate": ("鍵を更新…", "Rotate keys…"),
    "keys.resume": ("中断した鍵の更新を再開", "Resume the rotation"),
    "keys.backup": ("鍵をバックアップ…", "Back up keys…"),
    "keys.restore_hint": (
        "鍵の復元は、作業領域が開けないときにログイン画面の「バックアップから鍵を復元…」から行います。",
        "Keys are restored from the login window (“Restore keys from a backup…”) when the workspace does not open.",
    ),
    "keys.rotate_title": ("鍵の更新", "Rotate keys"),
    "keys.rotate_explain": (
        "次のことを行います:\n"
        "・新しい鍵の版 v{new} を作り、主鍵にします（v{old} 以前の版は残ります）。\n"
        "・保存されているデータセット {count} 件すべてを新しい版で書き直し、件数とトークンの一意性を確認してから切り替えます。\n"
        "・データ量によっては時間がかかります。途中で取り消すことができ、あとで再開できます。どの時点でも各データセットはどちらか一方の版にそろっています。\n"
        "・理由はアクセスログに記録されます。",
        "This will:\n"
        "• create key version v{new} and make it primary (v{old} and earlier stay);\n"
        "• rewrite every stored dataset ({count}) under the new version, checking row counts and "
        "token uniqueness before each one is switched over;\n"
        "• take a while for large datasets. You can cancel and resume later; each dataset is "
        "always wholly on one version.\n"
        "• write the reason you give to the access log.",
    ),
    "keys.reason": ("理由（必須）", "Reason (required)"),
    "keys.reason_hint": ("例: 年次の定期更新", "e.g. yearly scheduled rotation"),
    "keys.rotate_confirm": ("v{new} に更新する", "Rotate to v{new}"),
    "keys.resumed": ("中断した鍵の更新の再開", "resuming an interrupted rotation"),
    "keys.open_rotation": (
        "⚠ v{version} への鍵の更新が終わっていません。旧い版のデータセットが {pending} 件残っています（開始: {who}・理由: {reason}）。「再開」で続きを行います。",
        "⚠ The rotation to v{version} is unfinished: {pending} datasets are still on an older "
        "version (started by {who}, reason: {reason}). Press Resume to finish it.",
    ),
    "keys.rotated": (
        "鍵を v{version} に更新しました。データセット {count} 件を移行・確認しました。",
        "Keys rotated to v{version}; {count} datasets migrated and checked.",
    ),
    "keys.rotation_cancelled": (
        "鍵の更新を取り消しました。移行済みのデータセットは新しい版のままです。「再開」で続きを行えます。",
        "The rotation was cancelled. Datasets already migrated stay on the new version; press Resume to finish.",
    ),
    "keys.backup_save_title": ("鍵のバックアップの保存先", "Save the key backup to"),
    "keys.backup_filter": (
        "鍵のバックアップ (*.rlwkey);;すべてのファイル (*)",
        "Key backups (*.rlwkey);;All files (*)",
    ),
    "keys.backup_title": ("鍵のバックアップ", "Key backup"),
    "keys.backup_intro": (
        "鍵セットとマスター鍵を {path} に保存します。ファイルはパスフレーズで暗号化されます。パスフレーズを忘れると復元できません。ファイルとパスフレーズは別々に、作業領域とは別の場所に保管してください。",
        "The keyset and the master key are saved to {path}, encrypted with a passphrase. "
        "Without the passphrase the backup cannot be restored. Keep the file and the passphrase "
        "apart, and away from the workspace.",
    ),
    "keys.passphrase": ("パスフレーズ", "Passphrase"),
    "keys.passphrase_again": ("パスフレーズ（確認）", "Passphrase (again)"),
    "keys.backup_confirm": ("バックアップする", "Back up"),
    "keys.backed_up": ("鍵をバックアップしました: {path}", "Keys backed up to {path}"),
    # -- compromise response ---------------------------------------------------------------------
    "keys.compromise": ("鍵の漏えい対応…", "Keys may have leaked…"),
    "keys.compromise_title": ("鍵の漏えい対応", "Compromise response"),
    "keys.compromise_explain": (
        "現在の鍵が漏えいしたおそれがあるときの対応です。鍵の更新（ローテーション）では、現在の鍵を持つ人からデータを守れません。次のことを行います:\n"
        "1. 新しい、旧い鍵とは無関係な鍵系列を始めます（新しい乱数の鍵と新しいマスター鍵）。データ鍵とアクセスログの鍵は変わらないため、アクセスログは続けて検証できます。\n"
        "2. 今あるデータセット {datasets} 件と突合結果 {runs} 件を「廃止」にします。アクセスログのために読める状態で残しますが、新しいデータとは突合できません。\n"
        "3. 新しい鍵のバックアップを作ってから、旧い鍵（v{first}〜v{last}）を完全に破棄します。破棄すると、それ以前のアクセスログは個人番号で検索できなくなります。\n"
        "4. 元のファイルを取り込み直す必要があります。対象のファイルは下に表示します。\n"
        "元に戻すことはできません。続けるには作業領域の名前「{word}」を入力してください。",
        "Use this when the current keys may have leaked: a key rotation does not protect the "
        "data against someone who holds the current keys. This will:\n"
        "1. start a new key chain unrelated to the old one (fresh random keys and a new master "
        "key). The data key and the access-log keys stay, so the log stays verifiable.\n"
        "2. retire the {datasets} datasets and {runs} runs there are now: kept readable for the "
        "access log, never reconciled with new data.\n"
        "3. write a new key backup, then destroy the old keys (v{first}–v{last}) for good. After "
        "that, earlier access-log events can no longer be searched by 個人番号.\n"
        "4. you import the source files again; they are listed below.\n"
        "This cannot be undone. To go ahead, type the workspace name “{word}”.",
    ),
    "keys.compromise_resume_explain": (
        "{when} に始めた漏えい対応の続きです。新しい鍵のバックアップを作ってから、旧い鍵（v{first}〜v{last}）を破棄します。続けるには作業領域の名前「{word}」を入力してください。",
        "This finishes the compromise response started on {when}: a new key backup is written, "
        "then the old keys (v{first}–v{last}) are destroyed. To go ahead, type the workspace "
        "name “{word}”.",
    ),
    "keys.compromise_files": ("取り込み直すファイル:", "Source files to import again:"),
    "keys.compromise_file": (
        "・{kind} {file}（{rows} 行、{when} 取込）",
        "• {kind} {file} ({rows} rows, imported {when})",
    ),
    "keys.compromise_reason_hint": (
        "例: 鍵を保存したノートPCの紛失",
        "e.g. the laptop holding the keyring was lost",
    ),
    "keys.compromise_type": ("確認のための入力", "Type to confirm"),
    "keys.compromise_type_hint": ("作業領域の名前: {word}", "the workspace name: {word}"),
    "keys.compromise_destroy_now": (
        "旧い鍵を今すぐ破棄する（新しいバックアップが必要）",
        "Destroy the old keys now (needs a new key backup)",
    ),
    "keys.compromise_confirm": ("漏えい対応を実行する", "Start the compromise response"),
    "keys.compromise_destroy": ("旧い鍵を破棄…", "Destroy the old keys…"),
    "keys.compromise_destroy_confirm": ("旧い鍵を破棄する", "Destroy the old keys"),
    "keys.compromise_cancelled": (
        "取り消しました。何も変更していません。",
        "Cancelled; nothing was changed.",
    ),
    "keys.compromise_started": (
        "新しい鍵系列 {chain} を v{version} から始めました。データセット {count} 件を廃止しました。旧い鍵はまだ残っています（「旧い鍵を破棄…」で破棄します）。",
        "New key chain {chain} started at v{version}; {count} datasets retired. The old keys "
        "are still held: destroy them with “Destroy the old keys…”.",
    ),
    "keys.compromise_done": (
        "新しい鍵系列 {chain} を始め、データセット {count} 件を廃止し、旧い鍵を破棄しました。鍵のバックアップ: {path}。元のファイルを取り込み直してください。",
        "New key chain {chain} started, {count} datasets retired and the old keys destroyed. "
        "Key backup: {path}. Import the source files again.",
    ),
    "keys.open_compromise": (
        "⚠ 漏えい対応の途中です。旧い鍵（v{first}〜v{last}）がまだ残っています。新しいバックアップを作って破棄してください。",
        "⚠ A compromise response is unfinished: the old keys (v{first}–v{last}) are still "
        "held. Write a new backup and destroy them.",
    ),
    "keys.retired_title": (
        "廃止されたデータセット（突合には使えません。取り込み直してください）",
        "Retired datasets (never reconciled; import their source files again)",
    ),
    "keys.retired.col.kind": ("種類", "Kind"),
    "keys.retired.col.file": ("元のファイル", "Source file"),
    "keys.retired.col.rows": ("行数", "Rows"),
    "keys.retired.col.imported_at": ("取込日時", "Imported"),
    "keys.retired.col.id": ("データセット", "Dataset"),
    "person_history.unsearchable": (
        "⚠ {until} までのイベントのうち、鍵の版 v{first}〜v{last} で記録された人は検索できません（漏えい対応で鍵を破棄しました）。",
        "⚠ Events up to {until} that name persons under key versions v{first}–v{last} cannot "
        "be searched: those keys were destroyed after a compromise response.",
    ),
    "step.migrating datasets": ("データセットの移行", "Migrating datasets"),
    "step.dataset_migrated": ("データセット {id} を移行しました", "Dataset {id} migrated"),
    "step.backup": ("バックアップの暗号化", "Encrypting the backup"),
    # -- restore ---------------------------------------------------------------------------------
    "login.restore": ("バックアップから鍵を復元…", "Restore keys from a backup…"),
    "login.cannot_open": ("作業領域を開けません。", "The workspace does not open."),
    "login.restore_hint": (
        "鍵がこのコンピューターにない場合は、管理者が「バックアップから鍵を復元…」で復元できます。",
        "If its key is not on this computer, an administrator can use “Restore keys from a backup…”.",
    ),
    "login.restored": (
        "鍵を復元しました。ログインしてください。",
        "The keys were restored. Log in.",
    ),
    "restore.title": ("鍵の復元", "Restore keys"),
    "restore.intro": (
        "作業領域「{workspace}」の鍵のバックアップを、このコンピューターの鍵保管庫に復元します。作業領域の管理者の名前とパスワードが必要です。",
        "Restores the key backup of workspace “{workspace}” into this computer's key store. "
        "An administrator of the workspace must give their name and password.",
    ),
    "restore.file": ("バックアップファイル", "Backup file"),
    "restore.admin": ("管理者の利用者名", "Administrator"),
    "restore.admin_password": ("管理者のパスワード", "Administrator's password"),
    "restore.submit": ("復元する", "Restore"),
    "restore.fill_in": (
        "ファイル・パスフレーズ・管理者名・パスワードをすべて入力してください。",
        "Fill in the file, the passphrase, and the administrator's name and password.",
    ),
    "restore.failed_unexpected": (
        "予期しないエラーで鍵を復元できませんでした。何も変更されていません。"
        "詳細はログファイルにあります: {log}",
        "An unexpected error stopped the restore; nothing was changed. "
        "The details are in this log file: {log}",
    ),
    # -- settings --------------------------------------------------------------------------------
    "settings.title": ("作業領域の設定", "Workspace settings"),
    "settings.idle": ("無操作ロックまでの時間", "Lock the window after"),
    "settings.minutes_suffix": (" 分", " min"),
    "settings.idle_note": (
        "この時間操作がないと画面をロックし、パスワードの再入力を求めます。",
        "Idle windows lock and ask for the password again after this many minutes.",
    ),
    "settings.checkpoint": ("外部チェックポイントファイル", "External checkpoint file"),
    "settings.checkpoint_default": (
        "（未設定: OSの鍵保管庫、なければアプリの状態フォルダーに保存）",
        "(not set: the OS key store, or the app's state folder where there is none)",
    ),
    "settings.checkpoint_note": (
        "ログの最新の署名付きチェックポイントを、作業領域の外のこのファイルにも保存します（追記のみ・別のドライブや共有を推奨）。変更は次に作業領域を開いたときから有効になります。",
        "The latest signed log checkpoint is also kept in this file outside the workspace "
        "(append-only; another drive or share is best). A change takes effect the next time "
        "the workspace is opened.",
    ),
    "settings.checkpoint_title": ("チェックポイントファイル", "Checkpoint file"),
    "settings.checkpoint_filter": (
        "チェックポイント (*.jsonl);;すべてのファイル (*)",
        "Checkpoints (*.jsonl);;All files (*)",
    ),
    "settings.rules": ("突合ルールのファイル", "Reconciliation rules file"),
    "settings.rules_default": (
        "（未設定: アプリに同梱のルール）",
        "(not set: the rules shipped with the app)",
    ),
    "settings.rules_title": ("ルールファイル", "Rules file"),
    "settings.rules_filter": (
        "ルール (*.toml);;すべてのファイル (*)",
        "Rules (*.toml);;All files (*)",
    ),
    "settings.rules_version": ("現在のルールの版: {version}", "Rules version in use: {version}"),
    "settings.choose": ("選択…", "Choose…"),
    "settings.save": ("保存", "Save"),
    "settings.revert": ("元に戻す", "Revert"),
    "settings.name.idle_lock_minutes": ("無操作ロック", "idle lock"),
    "settings.name.checkpoint_file": ("外部チェックポイントファイル", "external checkpoint file"),
    "settings.name.rules_file": ("突合ルールのファイル", "rules file"),
    "settings.refused": ("「{name}」を保存できません。", "“{name}” was not saved."),
    "settings.saved": (
        "保存しました（アクセスログに記録）: {names}",
        "Saved (and logged): {names}",
    ),
    "settings.checkpoint_next_open": (
        "外部チェックポイントファイルの変更は、次に作業領域を開いたときから有効になります。",
        "The new checkpoint file takes effect the next time the workspace is opened.",
    ),
    "settings.unchanged": ("変更はありません。", "Nothing changed."),
}
