"""Live monitoring: poll sources, ingest, and alert on rules (issue "Live monitoring")."""
