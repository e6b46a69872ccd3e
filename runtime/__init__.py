"""The web runtime: a Starlette app served from build/."""
