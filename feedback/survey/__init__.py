"""The rater's survey, opened by a personal link (/s/<token>).

- answers.py: the answers as form fields, their validation and the stale-tab rule (pure).
- page.py: what the survey page shows (legs, statements, chosen values, progress).
- services.py: finding the invitation by its link, autosave, save and exactly-once submit.
- drafts.py: the encrypted draft and the links that open it.
- routes.py: the survey blueprint.
"""
