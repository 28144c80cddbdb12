"""Collection complaints: one channel with three doors (staff form, mailbox, API), marked 催收投诉 (CMP-1), matched
to a borrower, with a first-response clock (CMP-2) and an investigation clock (CMP-3); a complaint about
collection conduct pauses collection of the borrower (a complaint hold)."""
