"""Development goals a manager saves from their report (see feedback/goals/models.py)."""
