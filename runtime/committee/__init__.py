"""The committee stage (DOMAIN PUB, COM, INT, STAT): certificates after issuance, working
days, integrity records and statistics. Service modules hold the machinery; every number,
role and text comes from build/ (schemas/committee.yaml, calendar.yaml, messages.yaml);
pages.py and api.py serve them."""
