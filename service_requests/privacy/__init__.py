"""The privacy policy's promises about requests: retention (anonymising and purging what is old)
and each person's data (``/me/data`` sections)."""
