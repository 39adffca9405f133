"""Relationship Playbook: the playbook model, its validator, the CRM checker and the handbook macros."""
from __future__ import annotations

__version__ = "0.1.0"
