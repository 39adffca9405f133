"""Running the check where the data is: engines beside the embedded DuckDB, and the rules as SQL (issue 25)."""
