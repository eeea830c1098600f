"""Command line entry point: sits on top of indexer, search_api and web."""
