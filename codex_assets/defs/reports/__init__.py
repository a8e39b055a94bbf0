"""Reports built from the marts: CSV/JSON exports and a static HTML dashboard."""
