"""Sign-in: JWT sessions with refresh rotation, revocation, SMS password reset."""
