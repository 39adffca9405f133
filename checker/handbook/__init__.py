"""The handbook build: the mkdocs-macros module and the diagrams it draws."""
