"""Managers' reading: the SLA report, the dashboard, the backlog and the CSV exports."""
