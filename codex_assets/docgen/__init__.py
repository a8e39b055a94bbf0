"""Generators of the reference parts of docs/*.md, from the specs the code runs on.

They sit above the source slices because a page may document several of them.
"""
