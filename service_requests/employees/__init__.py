"""What employees see before and beside their own requests: similar requests to follow instead of
filing another, the office's notices, and rooms' QR tags."""
