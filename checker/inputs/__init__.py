"""Reading CRM exports: files and encodings, CRM presets and mappings, accounts, activity and deal logs → signals."""
