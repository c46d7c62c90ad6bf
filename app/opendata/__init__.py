"""Open data: the change feed, CSV exports, linked data and the data dictionary."""
