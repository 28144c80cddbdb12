"""The late stage (Clause: CLS-2, LGL-1, LGL-2, AUTH-3, LIT-1, LIT-2): the escalation decision on a severe case
(litigation, an agency, keep collecting, or a write-off), write-offs as maker-checker, the litigation file and the
court stages with their deadlines and legal costs."""
