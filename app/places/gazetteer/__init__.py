"""The gazetteer: every populated place of Europe that a member may act for, found by any of
its names, and the place picker that every form uses to choose one."""
