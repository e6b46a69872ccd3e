"""Help for the people outside the forms: the FAQ page, searchable without JavaScript."""
