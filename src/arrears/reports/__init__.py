"""Measuring collection (KPI-1, KPI-2, QA-2, REV-1): the facts the nightly run keeps for each month, the KPIs
read from them, the collectors' and agencies' scorecards, the dashboards and the monthly review.

The definitions are `docs/kpi.md`; the code follows them exactly."""
