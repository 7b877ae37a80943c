"""Each extension's documented example, written as an aiohttp user writes it
(``from aiohttp import web``); served by ../serve_extension.py with the compat layer on."""
