"""What changed since an earlier run (`--baseline`) and which findings are waived on purpose (`--waivers`).

These modules sit between `check` and `reports`: they read a CheckResult, an earlier JSON
report and a waivers file, and annotate the result (`History`); the reporters render it.
"""
