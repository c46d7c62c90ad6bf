"""Accounts: users and roles, passwords and password links, sign-in and its throttling,
browser sessions, partners' API keys and the audit trail."""
