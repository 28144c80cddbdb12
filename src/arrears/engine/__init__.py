"""The daily-run engine: for every loan on a business date, where it stands and what must happen next.

Pure polars: LazyFrames in, LazyFrames out; no Django, no I/O, no clock. The shell (`arrears.daily`) reads
the portfolio into the frames of `arrears.engine.schema`, runs `arrears.engine.runner.decide`, and applies
the decisions in bulk. Each kernel module is named after what it produces:

- `positions` — per instalment and per loan: DPD, class and report bucket (CLS-1), overdue principal and
  interest, penalty and compound interest accrued to the as-of date, equal to `arrears.finance.account.replay`
  to the fen;
- `reminders` — written and phone reminders due before a due date (REM-1, REM-2);
- `cases` — per borrower: the position, the pool (TEAM-1..3) and the case decision (open, reopen, move,
  close);
- `work` — calls due by the cadence (CLS-2, CALL-4), letter follow-ups (LTR-3), promises kept or broken
  (CALL-3), borrowers eligible for a legal decision (LGL-1, LGL-2);
- `late` — borrowers out of routine collection (in litigation or written off): no collection work, their open
  routine tasks withdrawn, the case with the supervisors;
- `plans` — instalment plans in force (PLAN-4): instalments met, plans broken or completed, who is not chased
  while a plan runs, and whose case goes to the supervisors after a break.

Every frame a kernel needs is keyed by borrower (loans carry their borrower), and no kernel looks at another
borrower's rows: the portfolio can be cut into partitions by borrower and each decided on its own, in this
process or on a cluster (see `runner`).
"""
