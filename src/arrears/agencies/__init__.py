"""Third-party collection agencies (Clause: AGY-1, AGY-2, AGY-3, LGL-2): eligibility from the documents AGY-1
requires; placement, the agency's desk, audits and commissions are to come (issue 19)."""
