"""Web dashboard: server-rendered pages, charts and the API."""
