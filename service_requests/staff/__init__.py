"""Tools for staff at scale: assignment rules and pools, bulk actions, canned replies, saved views."""
