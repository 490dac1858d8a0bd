"""The parts of the auditor's access-log page, each with one job (AuditLogPage wires them):

- :mod:`.filters` — the filter bar, which builds an ``EventFilter``;
- :mod:`.verify` — the banner that answers "is the log whole?";
- :mod:`.source` — where the event table reads its pages from (the audit services);
- the event table and its detail pane are :class:`rlwb.ui.event_browser.EventBrowser`.
"""
