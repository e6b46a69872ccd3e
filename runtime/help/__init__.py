"""Help for the people outside the forms: the 常见问题 (FAQ) page, searchable without JavaScript."""
