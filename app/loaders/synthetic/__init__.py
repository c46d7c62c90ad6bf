"""Synthetic places and practices over the real vocabularies, for `interlocal synthetic`."""
