"""The dilemma log: dilemmas organisations faced, who may read them, and recording them."""
