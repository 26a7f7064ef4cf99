"""Accounts and roles. There is no self-registration: administrators create accounts."""
