"""Places, organisations, networks and memberships, and finding peer places."""
