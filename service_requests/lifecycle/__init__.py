"""A request's life after intake: status moves (``status``), staff's edits and rerouting
(``edits``), the conversation (``comments``), merging duplicates, the SLA sweep, and who is
notified of each history event (``notify``)."""
