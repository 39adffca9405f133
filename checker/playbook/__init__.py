"""The playbook as data: strict YAML loading, schema and cross-reference validation, the model, the cache."""
