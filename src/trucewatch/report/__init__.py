"""Human-readable views of extraction results."""
