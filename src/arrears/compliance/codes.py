"""Action codes: what an audit event records was done. One enum for the whole system.

Codes are stored in the ledger and covered by its hash chain, so a value is never renamed or reused: a new
kind of action gets a new code. Add codes here, grouped by app.
"""

from __future__ import annotations

from enum import StrEnum


class ActionCode(StrEnum):
    # accounts
    LOGIN = "auth.login"
    LOGOUT = "auth.logout"
    LOGIN_FAILED = "auth.login_failed"  # recorded by the system user: the attempt's author is not signed in
    SAVE_USER = "accounts.save_user"
    SET_PASSWORD = "accounts.set_password"  # noqa: S105 - an action code, not a password
    RESET_PASSWORD = "accounts.reset_password"  # noqa: S105 - an action code, not a password
    CHANGE_PASSWORD = "accounts.change_password"  # noqa: S105 - an action code, not a password
    UPDATE_ROLE = "accounts.update_role"
    CREATE_TOKEN = "accounts.create_token"  # noqa: S105 - an action code, not a token
    REVOKE_TOKEN = "accounts.revoke_token"  # noqa: S105 - an action code, not a token
    API_CALL = "api.call"  # one per call authenticated by a token: method, path, status
    SAVE_TEAM = "accounts.save_team"
    SAVE_AGENCY = "accounts.save_agency"
    # portfolio
    UNMASK_FIELD = "portfolio.unmask_field"
    SEARCH_EXACT = "portfolio.search_exact"
    SEARCH_NAME = "portfolio.search_name"
    IMPORT_FEED = "portfolio.import_feed"
    PLACE_HOLD = "portfolio.place_hold"
    RELEASE_HOLD = "portfolio.release_hold"
    EXTEND_HOLD = "portfolio.extend_hold"
    # rules
    ADD_POLICY_VERSION = "rules.add_policy_version"
    ADD_CALENDAR_DAY = "rules.add_calendar_day"
    ADD_CALENDAR_YEAR = "rules.add_calendar_year"
    MAIL_CALENDAR_WARNING = "rules.mail_calendar_warning"
    # engine: the nightly run and the decisions it applies
    DAILY_RUN = "engine.daily_run"
    SEAL_CHANGES = "engine.seal_changes"  # one per commit of the nightly run: the digest of its change records
    CLASSIFY_LOAN = "engine.classify_loan"
    # reports: the month's facts the nightly run keeps (KPI-1)
    KEEP_MONTH_FACTS = "reports.keep_month_facts"
    RECONSTRUCT_MONTHS = "reports.reconstruct_months"
    # reports: the monthly review pack (REV-1): prepared, edited, its action items, approved
    PREPARE_REVIEW = "reports.prepare_review"
    EDIT_REVIEW = "reports.edit_review"
    ADD_ACTION_ITEM = "reports.add_action_item"
    UPDATE_ACTION_ITEM = "reports.update_action_item"
    APPROVE_REVIEW = "reports.approve_review"
    # reports: the policy what-if (issue 23): asked for on the page, replayed by the worker
    REQUEST_WHATIF = "reports.request_whatif"
    COMPLETE_WHATIF = "reports.complete_whatif"
    START_EXPERIMENT = "reports.start_experiment"
    STOP_EXPERIMENT = "reports.stop_experiment"
    PROPOSE_PROMOTION = "reports.propose_promotion"
    DECIDE_PROMOTION = "reports.decide_promotion"
    # reports: the collection costs administrators enter, one by one or a file at a time (KPI-2)
    ENTER_COST = "reports.enter_cost"
    IMPORT_COSTS = "reports.import_costs"
    # collection
    OPEN_CASE = "collection.open_case"
    REOPEN_CASE = "collection.reopen_case"
    MOVE_CASE = "collection.move_case"
    CLOSE_CASE = "collection.close_case"
    CREATE_TASK = "collection.create_task"
    WITHDRAW_TASK = "collection.withdraw_task"  # the nightly run cancels routine work of a case in the late stage
    DECIDE_PROMISE = "collection.decide_promise"
    ALLOCATE_CASE = "collection.allocate_case"
    REASSIGN_CASE = "collection.reassign_case"
    RECORD_CALL = "collection.record_call"
    SEND_LETTER = "collection.send_letter"
    VIEW_LETTER = "collection.view_letter"
    RECORD_LETTER_DELIVERY = "collection.record_letter_delivery"
    # compliance: prohibited language (LANG-1)
    RECORD_LANGUAGE_HIT = "compliance.record_language_hit"
    SAVE_PHRASE = "compliance.save_phrase"
    # compliance: the ledger (AUTH-4)
    VERIFY_LEDGER = "compliance.verify_ledger"
    RESTORE_BACKUP = "compliance.restore_backup"  # recorded by the system user after `arrears restore`
    # notices
    QUEUE_REMINDER = "notices.queue_reminder"
    WRITE_TEMPLATE = "notices.write_template"
    SUBMIT_TEMPLATE = "notices.submit_template"
    REVIEW_TEMPLATE = "notices.review_template"
    RETIRE_TEMPLATE = "notices.retire_template"
    SEND_NOTICE = "notices.send_notice"
    DEFER_NOTICE = "notices.defer_notice"
    RECORD_RECEIPT = "notices.record_receipt"
    REQUEUE_NOTICE = "notices.requeue_notice"
    SETTLE_UNCONFIRMED = "notices.settle_unconfirmed"
    MAKE_PRINT_BATCH = "notices.make_print_batch"
    DOWNLOAD_PRINT_BATCH = "notices.download_print_batch"
    # operations: the day's schedule (`arrears worker`)
    QUEUE_JOB_RUN = "operations.queue_job_run"
    START_JOB_RUN = "operations.start_job_run"
    FINISH_JOB_RUN = "operations.finish_job_run"
    MAIL_JOB_FAILURE = "operations.mail_job_failure"
    PRUNE_TASK_RESULTS = "operations.prune_task_results"
    # home: a list page exported as CSV, an audited read (PRV-1)
    EXPORT_LIST = "home.export_list"
    # arrangements (AUTH-2, PLAN-*, WVR-*)
    PROPOSE_PLAN = "arrangements.propose_plan"
    APPROVE_PLAN = "arrangements.approve_plan"
    REJECT_PLAN = "arrangements.reject_plan"
    WITHDRAW_PLAN = "arrangements.withdraw_plan"
    SIGN_PLAN = "arrangements.sign_plan"
    VIEW_AGREEMENT = "arrangements.view_agreement"
    BREAK_PLAN = "arrangements.break_plan"
    COMPLETE_PLAN = "arrangements.complete_plan"
    RECORD_INSTALMENT_MET = "arrangements.record_instalment_met"
    PROPOSE_WAIVER = "arrangements.propose_waiver"
    APPROVE_WAIVER = "arrangements.approve_waiver"
    REJECT_WAIVER = "arrangements.reject_waiver"
    # retention: the purge of what is past its period (PRV-1, LTR-1, CALL-3, AUTH-4)
    PURGE_EXPIRED = "retention.purge_expired"  # one per purge run, with the counts per kind
    ANONYMISE_BORROWER = "retention.anonymise_borrower"
    PURGE_LETTER_PDF = "retention.purge_letter_pdf"
    PURGE_PRINT_BATCH = "retention.purge_print_batch"
    # complaints (CMP-1, CMP-2, CMP-3)
    FILE_COMPLAINT = "complaints.file_complaint"
    MATCH_COMPLAINT = "complaints.match_complaint"
    RECORD_COMPLAINT_RESPONSE = "complaints.record_response"
    # complaints: the investigation, the violation register, telling the complainant (CMP-3, CMP-4, PRV-1)
    TAKE_COMPLAINT = "complaints.take_complaint"
    RECORD_FINDINGS = "complaints.record_findings"
    CLOSE_RECTIFICATION = "complaints.close_rectification"
    RECORD_VIOLATION = "complaints.record_violation"
    TELL_COMPLAINT_OUTCOME = "complaints.tell_outcome"
    CLOSE_COMPLAINT = "complaints.close_complaint"
    QUEUE_COMPLAINT_NOTICE = "complaints.queue_notice"
    # legal: the court stages, legal costs and court documents (LIT-2)
    RECORD_COURT_STAGE = "legal.record_court_stage"
    RECORD_LEGAL_COST = "legal.record_legal_cost"
    VIEW_COURT_DOCUMENT = "legal.view_court_document"
    # legal: the escalation decisions (LGL-1, LGL-2, AUTH-3) and write-offs (maker–checker)
    DECIDE_LITIGATION = "legal.decide_litigation"
    DECIDE_AGENCY = "legal.decide_agency"
    DECIDE_CONTINUE = "legal.decide_continue"
    PROPOSE_WRITE_OFF = "legal.propose_write_off"
    APPROVE_WRITE_OFF = "legal.approve_write_off"
    REJECT_WRITE_OFF = "legal.reject_write_off"
    # legal: the litigation file (LIT-1); opening it is an audited read (PRV-1)
    BUILD_LITIGATION_FILE = "legal.build_litigation_file"
    VIEW_LITIGATION_FILE = "legal.view_litigation_file"
    # agencies: placing a case with an agency, recalling it, its period ending (LGL-2, AUTH-3, AGY-2); opening the
    # mandate is an audited read (it names the borrower)
    PLACE_WITH_AGENCY = "agencies.place"
    RECALL_PLACEMENT = "agencies.recall"
    END_PLACEMENT = "agencies.end_placement"
    VIEW_MANDATE = "agencies.view_mandate"
    # agencies: a commission statement's PDF or CSV showing borrowers (masked) is an audited read (LGL-2, PRV-1)
    VIEW_COMMISSION_STATEMENT = "agencies.view_commission_statement"
    # agencies: the bank's audits of its agencies and the violations they find (AGY-3); reading a report (PRV-1)
    OPEN_AGENCY_AUDIT = "agencies.open_audit"
    UPLOAD_AGENCY_REPORT = "agencies.upload_report"
    JUDGE_AUDITED_CONTACT = "agencies.judge_contact"
    RECORD_AUDIT_VIOLATION = "agencies.record_audit_violation"
    CLOSE_AGENCY_AUDIT = "agencies.close_audit"
    VIEW_AGENCY_REPORT = "agencies.view_report"
    # quality: the call platform's events, their call records' measured duration (CALL-3), the recordings (QA-1);
    # playing a recording is an audited read (PRV-1)
    RECEIVE_TELEPHONY_EVENT = "quality.receive_telephony_event"
    TIE_TELEPHONY_CALL = "quality.tie_telephony_call"
    STORE_RECORDING = "quality.store_recording"
    PLAY_RECORDING = "quality.play_recording"
    # retention: a recording's audio past its `retain_until` (QA-1)
    PURGE_RECORDING = "retention.purge_recording"
    # quality: a call's transcript inspected (QA-1), reviewed by a person (QA-1, QA-2), read (PRV-1)
    INSPECT_CALL = "quality.inspect_call"
    REVIEW_CALL = "quality.review_call"
    READ_TRANSCRIPT = "quality.read_transcript"
