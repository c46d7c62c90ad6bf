"""The query layer: every read of the catalogue, shared by the JSON API and the pages."""
