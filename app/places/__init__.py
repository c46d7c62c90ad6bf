"""Places, organisations, networks and memberships; the gazetteer of Europe's places and its
picker; the map; and finding peer places."""
