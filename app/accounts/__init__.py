"""Accounts: users and roles, passwords and password links, sign-in and its throttling,
browser sessions, partners' API keys, requests for an account and the audit trail."""
