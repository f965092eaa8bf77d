"""Ingest: turn input files (plain text, HTML, JSONL) into Documents."""

from trucewatch.ingest.html import HtmlArticle, html_to_text
from trucewatch.ingest.readers import MAX_BYTES, InputError, read_inputs

__all__ = ["MAX_BYTES", "HtmlArticle", "InputError", "html_to_text", "read_inputs"]
