"""Helpers shared by tests: the scripted fault server and a fake clock."""
