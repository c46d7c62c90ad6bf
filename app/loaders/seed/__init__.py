"""The seed: the five reports' facts, read from seed/*.yaml, checked, then written."""
