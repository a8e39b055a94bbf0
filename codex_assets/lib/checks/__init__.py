"""What "on time, whole and consistent" means, for any source: the check machinery.

Plain rules return a `CheckOutcome` (`outcome.py`) over the lake, or over an in-memory
`LakeWindow` of some days of it (`window.py`); a source describes its tables (`tables.py`), its
service level (`sla.py`) and its checks (`specs.py`) in its own slice, under
`defs/<source>/checks/`. The rules every source shares are here (`completeness.py`,
`validity.py`, `record_fields.py`), and so is the Dagster glue: the checked asset and its days
(`targets.py`), outcome -> `AssetCheckResult` and the multi-check builder (`results.py`), the
shared check groups (`builders.py`), freshness checks, sensor and policies (`freshness.py`),
and the docs tables made from the specs (`docs.py`). Nothing here knows a source.
See docs/checks.md for what each check means, docs/adding-a-check.md to add one.
"""
