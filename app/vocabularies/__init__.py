"""Vocabularies: the schemes and terms that classify practices and places, and their
translations."""
