"""Interlocal: a peer-learning exchange for cities and regions on migrant integration."""
