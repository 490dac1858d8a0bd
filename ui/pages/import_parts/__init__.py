"""The parts of the import page, each with one job (ImportPage wires them together):

- :mod:`.source` — which file, which kind of extract, which saved profile;
- :mod:`.mapping` — the file's columns and what each maps to, saving that as a profile;
- :mod:`.preview` — what was detected and the first rows, masked;
- :mod:`.report` — the import's report and the way to its issues and quarantine;
- :mod:`.profile` — the profile the import will use (no Qt: tested without a window).
"""
