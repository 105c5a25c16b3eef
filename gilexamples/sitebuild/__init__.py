"""Site-building support: the docs contract checker and the MkDocs hooks.

Nothing here is imported by the rest of the package; ``mkdocs.yml`` loads
:mod:`gilexamples.sitebuild.hooks` and the tests use
:mod:`gilexamples.sitebuild.contract`.
"""
